/**
 * `createRequestHandler`: the Liveblocks REST API v2 routes that
 * `@liveblocks/node` calls, answered by a `Liveblocks` instance, as a Web
 * standard `(Request) => Promise<Response>`. Routing, the bearer check and
 * error answers live here; what each route does lives in `routes.ts`.
 */
import { LiveblocksError, STORE_RETRY_AFTER_SECONDS, isStoreUnreachable } from "../protocol/errors.js";
import { httpMessages } from "../protocol/messages.js";
import { PATHS, segmentsOf, unservedFeature } from "../protocol/paths.js";
import { type Liveblocks, secretMatches } from "../liveblocks/client.js";
import { type IncomingRequest, MAX_BODY_BYTES, fromWebRequest } from "./body.js";
import { type Answer, HttpError, type RouteResult, errorAnswer, errorResponse, httpErrorResponse, json, toResponse } from "./responses.js";
import { type RouteContext, routes } from "./routes.js";

/** The segments of the JWKS route, served under `basePath` like the others. */
const JWKS = segmentsOf(PATHS.jwks);

/** A Web-standard request handler, as Next.js App Router, Hono and Bun mount it. */
export type RequestHandler = (request: Request) => Promise<Response>;

/** Options of {@link createRequestHandler}. */
export type RequestHandlerOptions = {
  /**
   * The path before `/v2` the routes live under, e.g. `"/api/liveblocks"`
   * (default: none, routes start at the origin's `/v2`). A basePath ending in
   * `/v2` names the API's own `/v2` (`"/v2"` is no basePath). `@liveblocks/node`
   * never calls it: it resolves `new URL("/v2/…", baseUrl)`, which drops any
   * path of `baseUrl`; a basePath serves raw HTTP clients only.
   */
  basePath?: string;
  /** Largest request body accepted, in bytes (default 1 MiB); larger answers 413. */
  maxBodyBytes?: number;
  /**
   * Publishes `GET /.well-known/jwks.json` (no secret needed): pass the
   * `KeyPairSigner` the `Liveblocks` instance signs with.
   */
  publicKeys?: { jwks(): { keys: readonly object[] } };
  /**
   * Told about each unexpected error once (answered 500 without details, or
   * 503 `STORE_UNAVAILABLE` when the store could not be reached). Default: `console.error`.
   */
  onError?: (error: unknown, request: { method: string; url: string }) => void;
};

/**
 * Serves the REST API v2 of Liveblocks (`identify-user`, `authorize-user`,
 * rooms CRUD and listing, `upsert`, `update-room-id`) plus roomgate's own
 * routes (`check-access`, token revocation, JWKS) from `liveblocks`, so the
 * official SDK or any HTTP client can point `baseUrl` at it. Requests need
 * `Authorization: Bearer <secret>`, checked before anything else (without it,
 * every path and method answers 401, or 403 with a wrong one; only the JWKS
 * route is public). A request body must be JSON: a `Content-Type` other than
 * `application/json` or `*+json` answers 415 (none at all is read as JSON).
 * Errors are JSON `{ error: code, message }` (`ROOM_NOT_FOUND`,
 * `MISSING_SECRET_KEY`, …).
 *
 * Mount it at the origin's `/v2`: `@liveblocks/node` calls `new
 * URL("/v2/…", baseUrl)`, which drops any path of `baseUrl`.
 *
 * @example
 * ```ts
 * // app/v2/[...path]/route.ts (Next.js App Router), reached by the SDK with baseUrl "https://<app>"
 * import { Liveblocks } from "roomgate";
 * import { createRequestHandler } from "roomgate/http";
 *
 * const liveblocks = new Liveblocks({ secret: process.env.ROOMGATE_SECRET! });
 * const handler = createRequestHandler(liveblocks);
 * export { handler as GET, handler as POST, handler as DELETE };
 * ```
 */
export function createRequestHandler(liveblocks: Liveblocks, options: RequestHandlerOptions = {}): RequestHandler {
  const basePath = normalizeBasePath(options.basePath);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const onError = options.onError ?? ((error: unknown) => console.error("roomgate/http: unexpected error", error));
  const publicKeys = options.publicKeys;
  let warned = false;
  /** Tells `onError` once that requests reach `/v2` beside basePath, and why. */
  function warnBasePathOnce(): void {
    if (warned) return;
    warned = true;
    try {
      onError(new Error(httpMessages.basePathDropped(basePath)), { method: "", url: basePath });
    } catch {
      // A failing logger must not turn into a crash.
    }
  }

  async function answer(request: IncomingRequest): Promise<RouteResult> {
    try {
      const pathname = rawPathname(request);
      const underBase = pathname !== null && (basePath === "" || pathname.startsWith(`${basePath}/`));
      const segments = underBase ? decodeSegments(pathname.slice(basePath.length + 1)) : null;
      if (publicKeys !== undefined && segments !== null && isJwks(segments) && (request.method === "GET" || request.method === "HEAD")) {
        return json(publicKeys.jwks(), 200, {
          "cache-control": "public, max-age=300",
        });
      }
      // Before any 400, 404 or 405: without the secret, no path or method can be told apart.
      const denied = checkSecret(liveblocks, request.headers.get("authorization"));
      if (denied !== null) return denied;
      if (segments === null) {
        // Outside basePath but at the origin's /v2: the official SDK, which drops baseUrl's path.
        const sdkLike = pathname !== null && pathname.startsWith("/v2/");
        if (sdkLike) warnBasePathOnce();
        return errorAnswer("ROUTE_NOT_FOUND", httpMessages.notFound(request.method, pathname ?? request.url), {
          ...(sdkLike && { suggestion: httpMessages.basePathDropped(basePath) }),
        });
      }
      if (segments === BAD_PATH) throw new HttpError("INVALID_PATH", httpMessages.badPath);
      if (publicKeys !== undefined && isJwks(segments)) {
        return errorAnswer("METHOD_NOT_ALLOWED", httpMessages.methodNotAllowed(request.method, ["GET"]), { headers: { allow: "GET" } });
      }
      const match = routes.match(segments);
      if (match === null) {
        const unserved = unservedFeature(segments);
        if (unserved !== undefined) return errorAnswer("NOT_IMPLEMENTED", httpMessages.notImplemented(unserved));
        return errorAnswer("ROUTE_NOT_FOUND", httpMessages.notFound(request.method, pathname!));
      }
      const action = match.route.methods[request.method];
      if (action === undefined) {
        const allow = Object.keys(match.route.methods);
        return errorAnswer("METHOD_NOT_ALLOWED", httpMessages.methodNotAllowed(request.method, allow), {
          headers: { allow: allow.join(", ") },
        });
      }
      const context: RouteContext = {
        liveblocks,
        request,
        params: match.params,
        maxBodyBytes,
      };
      return await action(context);
    } catch (error) {
      return answerError(error, request, onError);
    }
  }

  const handle: RequestHandler = async (request) => toResponse(await answer(fromWebRequest(request)));
  // The node adapter calls the core directly and skips building Request and Response objects.
  nodeEntries.set(handle, answer);
  return handle;
}

/** The core of each handler made here, keyed by the handler, for `toNodeListener`. */
const nodeEntries = new WeakMap<RequestHandler, (request: IncomingRequest) => Promise<RouteResult>>();

/** @internal The core of `handler` if {@link createRequestHandler} made it. */
export function nodeEntryOf(handler: RequestHandler): ((request: IncomingRequest) => Promise<RouteResult>) | undefined {
  return nodeEntries.get(handler);
}

/** 401 without a bearer token, 403 with a wrong one, `null` when it is the secret. */
function checkSecret(liveblocks: Liveblocks, header: string | null): Answer | null {
  const match = header === null ? null : /^Bearer +(\S+) *$/i.exec(header);
  if (match === null) {
    return errorAnswer("MISSING_SECRET_KEY", httpMessages.missingSecret, { suggestion: httpMessages.secretSuggestion });
  }
  if (!secretMatches(liveblocks, match[1]!)) {
    return errorAnswer("INVALID_SECRET_KEY", httpMessages.invalidSecret, { suggestion: httpMessages.secretSuggestion });
  }
  return null;
}

function answerError(
  error: unknown,
  request: IncomingRequest,
  onError: (error: unknown, request: { method: string; url: string }) => void,
): Answer {
  if (error instanceof HttpError) return httpErrorResponse(error);
  // The facade decided the status and code (404 ROOM_NOT_FOUND, 409, 422, 501, …): answer them as they are.
  if (error instanceof LiveblocksError) {
    return errorResponse(error.status, error.code, error.message, {
      ...(error.details && { suggestion: error.details }),
      // A busy store (SqliteBusyError) says when to come back; RestStore honours it.
      ...(error.code === "STORE_UNAVAILABLE" && { headers: { "retry-after": String(STORE_RETRY_AFTER_SECONDS) } }),
    });
  }
  // A client that went away is not a server fault: nothing to log, nobody to answer.
  if (request.signal.aborted) return errorAnswer("REQUEST_ABORTED", httpMessages.aborted);
  try {
    onError(error, { method: request.method, url: request.url });
  } catch {
    // A failing logger must not turn into a crash.
  }
  // A store that cannot be reached (Postgres down, a refused connection) is told to onError, and answered 503.
  if (isStoreUnreachable(error)) {
    return errorAnswer("STORE_UNAVAILABLE", httpMessages.storeUnavailable, {
      headers: { "retry-after": String(STORE_RETRY_AFTER_SECONDS) },
    });
  }
  return errorAnswer("INTERNAL_SERVER_ERROR", httpMessages.internal);
}

/**
 * A path made of these characters (no dot at all, so no dot segment, and no
 * `%2e`) is its own WHATWG URL pathname: nothing in it is re-encoded or
 * resolved, so the node adapter's raw target needs no URL parse.
 */
const PLAIN_PATH = /^\/[\w\-~!$&'()*+,;=:@%/]*$/;

/** The path part of the request's URL as sent (still percent-encoded), or `null`. */
function rawPathname(request: IncomingRequest): string | null {
  const target = request.path;
  if (target !== undefined) {
    const query = target.indexOf("?");
    const fragment = target.indexOf("#");
    const end = query === -1 ? fragment : fragment === -1 ? query : Math.min(query, fragment);
    const path = end === -1 ? target : target.slice(0, end);
    if (PLAIN_PATH.test(path) && !/%2e/i.test(path)) return path;
  }
  try {
    return new URL(request.url).pathname;
  } catch {
    return null;
  }
}

/** What {@link decodeSegments} gives for a path that is not valid percent-encoding. */
const BAD_PATH: readonly string[] = [];

/** Path segments, each percent-decoded once (`a%2Fb` is one segment `a/b`), or {@link BAD_PATH}. */
function decodeSegments(path: string): readonly string[] {
  const segments = path.split("/");
  if (!path.includes("%")) return segments;
  try {
    return segments.map((segment) => decodeURIComponent(segment));
  } catch {
    return BAD_PATH;
  }
}

function isJwks(segments: readonly string[]): boolean {
  return segments.length === JWKS.length && segments.every((segment, i) => segment === JWKS[i]);
}

/**
 * `basePath` without its trailing slash, and without a trailing `/v2`: the
 * routes start with `/v2` already, so `app.use("/v2", …)` with `basePath:
 * "/v2"` means the API's own `/v2`, not `/v2/v2`.
 */
function normalizeBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === "" || basePath === "/") return "";
  const withSlash = basePath.startsWith("/") ? basePath : `/${basePath}`;
  const trimmed = withSlash.endsWith("/") ? withSlash.slice(0, -1) : withSlash;
  return trimmed.endsWith("/v2") ? trimmed.slice(0, -"/v2".length) : trimmed;
}
