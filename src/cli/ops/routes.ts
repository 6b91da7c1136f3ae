/**
 * The route template of a request (`/v2/rooms/:roomId`, never the raw path)
 * and its rate-limit family, read from the request line before the handler
 * runs. Logs and metrics label requests with the template: a raw path would
 * put user ids into logs and grow metric labels without bound.
 */
import { PATHS, segmentsOf } from "../../protocol/paths.js";

/** The rate-limit families: identify/authorize, room and group writes, listings, everything else. */
export type RouteFamily = "identify" | "writes" | "listings" | "other";

/** A request's template and family; `template` is `"other"` for a path no route has. */
export type RouteInfo = { template: string; family: RouteFamily };

/** Paths `roomgate serve` answers itself, beside the REST routes. */
export const OPS_PATHS = { health: "/healthz", ready: "/readyz", metrics: "/metrics" } as const;

type Pattern = { template: string; segments: readonly string[] };

const PATTERNS: readonly Pattern[] = [...Object.values(PATHS), ...Object.values(OPS_PATHS)].map((template) => ({
  template,
  segments: segmentsOf(template),
}));

const LISTINGS: ReadonlySet<string> = new Set([PATHS.rooms, PATHS.groups, PATHS.userGroups]);
const IDENTIFY: ReadonlySet<string> = new Set([PATHS.identifyUser, PATHS.authorizeUser]);
/** Read-like POSTs: a decision, not a write. */
const NOT_WRITES: ReadonlySet<string> = new Set([PATHS.checkAccess]);

const OTHER: RouteInfo = { template: "other", family: "other" };
const cache = new Map<string, RouteInfo>();

/**
 * What a request to `url` with `method` is, for logs, metrics and limits.
 *
 * @example
 * ```ts
 * routeOf("POST", "/v2/rooms/r%2F1?x=1"); // { template: "/v2/rooms/:roomId", family: "writes" }
 * ```
 */
export function routeOf(method: string, url: string): RouteInfo {
  // The routes without a parameter are found by their path at once.
  const known = cache.get(`${method} ${url}`);
  if (known !== undefined) return known;
  const query = url.indexOf("?");
  const fragment = url.indexOf("#");
  const end = query === -1 ? fragment : fragment === -1 ? query : Math.min(query, fragment);
  const path = end === -1 ? url : url.slice(0, end);
  const template = templateOf(path);
  if (template === undefined) return OTHER;
  const key = `${method} ${template}`;
  let info = cache.get(key);
  if (info === undefined) {
    info = { template, family: familyOf(method, template) };
    // Bounded: templates are a fixed list and Node's parser accepts a fixed list of methods.
    if (cache.size < 1024) cache.set(key, info);
  }
  return info;
}

function templateOf(path: string): string | undefined {
  if (!path.startsWith("/")) return undefined;
  const raw = path.slice(1).split("/");
  for (const pattern of PATTERNS) {
    if (pattern.segments.length !== raw.length) continue;
    let matches = true;
    for (let i = 0; i < raw.length && matches; i++) {
      const want = pattern.segments[i]!;
      const got = raw[i]!;
      if (want.startsWith(":")) matches = got.length > 0;
      else matches = want === got || (got.includes("%") && decoded(got) === want);
    }
    if (matches) return pattern.template;
  }
  return undefined;
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function familyOf(method: string, template: string): RouteFamily {
  if (IDENTIFY.has(template)) return "identify";
  if (!template.startsWith("/v2/")) return "other";
  if (method === "GET" || method === "HEAD") return LISTINGS.has(template) ? "listings" : "other";
  return NOT_WRITES.has(template) ? "other" : "writes";
}
