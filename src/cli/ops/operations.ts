/**
 * What `roomgate serve` adds around the REST handler for operators: the
 * `/metrics` endpoint, rate limits, request ids and one log line per request.
 * Each part costs nothing when it is off; with all off, the handler's own
 * listener is used as it is.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ERROR_STATUS } from "../../protocol/errors.js";
import { addResponseHeaders, writeHead } from "../../runtime/response-headers.js";
import type { LiveblocksObserver } from "../../index.js";
import { type LogFormat, batchedLines, formatRequestLine, methodLabel, requestIdOf } from "./logs.js";
import { type ServerMetrics, createServerMetrics } from "./metrics.js";
import { type RateLimits, RateLimiter } from "./rate-limit.js";
import { OPS_PATHS, routeOf } from "./routes.js";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** What `closed` needs of a request `wrap` saw, kept on its response. */
class RequestRecord {
  constructor(
    readonly started: number,
    readonly method: string,
    readonly route: string,
    readonly requestId: string,
    readonly probe: boolean,
  ) {}
}

const RECORD = Symbol("roomgate.requestRecord");
type Recorded = ServerResponse & { [RECORD]?: RequestRecord | undefined };

/** Options of {@link createOperations}, as `roomgate serve` reads them. */
export type OperationsOptions = {
  /** Serve `/metrics` (default true). */
  metrics?: boolean;
  /** When set, `/metrics` needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  rateLimits?: RateLimits;
  /** Take the client address from `X-Forwarded-For` (its last entry, the proxy's) instead of the socket. */
  trustProxy?: boolean;
  /** One line per request, or none (default). */
  logFormat?: LogFormat;
  /** Where request lines go, several joined by newlines in one call. */
  log: (line: string) => void;
  /** Event streams open now, read at each scrape. */
  openStreams: () => number;
  /** For tests of the limits. */
  now?: () => number;
};

/** The parts built from {@link OperationsOptions}. */
export type Operations = {
  /** For `new Liveblocks({ observer })`; undefined when metrics are off. */
  observer: LiveblocksObserver | undefined;
  metrics: ServerMetrics | undefined;
  limiter: RateLimiter | undefined;
  /** `inner` with the enabled parts around it; the server calls {@link Operations.closed} when each response closes. */
  wrap(inner: Listener): Listener;
  /** Counts and logs a response `wrap` saw, once it closed (from the server's one 'close' listener). */
  closed(res: ServerResponse): void;
  /** Writes the request lines held back now (they wait up to `LOG_FLUSH_MS`). */
  flushLogs(): void;
};

/**
 * Builds the operator-facing parts of the server.
 *
 * @example
 * ```ts
 * const ops = createOperations({ logFormat: "json", log: console.log, openStreams: () => 0 });
 * createServer(ops.wrap(toNodeListener(createRequestHandler(new Liveblocks({ secret, observer: ops.observer })))));
 * ```
 */
export function createOperations(options: OperationsOptions): Operations {
  const metrics = options.metrics === false ? undefined : createServerMetrics(options.openStreams);
  const limiter = options.rateLimits === undefined ? undefined : new RateLimiter(options.rateLimits, { now: options.now });
  const activeLimiter = limiter?.enabled ? limiter : undefined;
  const tokenDigest = options.metricsToken === undefined ? undefined : digest(options.metricsToken);
  const { logFormat, trustProxy = false } = options;
  const log = batchedLines(options.log);

  function wrap(inner: Listener): Listener {
    if (metrics === undefined && activeLimiter === undefined && logFormat === undefined) return inner;
    return (req, res) => {
      const started = performance.now();
      const method = methodLabel(req.method);
      const route = routeOf(req.method ?? "GET", req.url ?? "/");
      const probe = route.template === OPS_PATHS.health || route.template === OPS_PATHS.ready;
      let requestId = "";
      if (logFormat !== undefined) {
        requestId = requestIdOf(req.headers["x-request-id"]);
        addResponseHeaders(res, { "x-request-id": requestId });
      }
      // Counted and logged in `closed`, called by the server's own 'close' listener: a listener
      // of ours would be a closure per request and turn the response's one listener into a list.
      if (metrics !== undefined || (logFormat !== undefined && !probe)) {
        (res as Recorded)[RECORD] = new RequestRecord(started, method, route.template, requestId, probe);
      }
      // Answered here, the server's listener never sees these: they are counted on their own 'close'.
      if (route.template === OPS_PATHS.metrics && metrics !== undefined) {
        res.on("close", closeListener);
        return void answerMetrics(req, res, metrics, tokenDigest);
      }
      if (activeLimiter !== undefined && !probe) {
        const admission = activeLimiter.take(route.family, clientAddress(req, trustProxy));
        if (!admission.allowed) {
          metrics?.rateLimited(route.family);
          res.on("close", closeListener);
          return void answerRateLimited(req, res, admission.retryAfterSeconds);
        }
      }
      inner(req, res);
    };
  }

  function closeListener(this: ServerResponse): void {
    closed(this);
  }

  function closed(res: ServerResponse): void {
    const record = (res as Recorded)[RECORD];
    if (record === undefined) return;
    (res as Recorded)[RECORD] = undefined;
    const ms = performance.now() - record.started;
    metrics?.request(record.method, record.route, res.statusCode, ms / 1000);
    // Probes are polled every few seconds: their lines would drown the rest.
    if (logFormat !== undefined && !record.probe) {
      log(
        formatRequestLine(
          logFormat,
          { method: record.method, route: record.route, status: res.statusCode, durationMs: ms, requestId: record.requestId },
          Date.now(),
        ),
      );
    }
  }

  return { observer: metrics?.observer, metrics, limiter: activeLimiter, wrap, closed, flushLogs: log.flush };
}

/**
 * The socket's address, or with `trustProxy` the last `X-Forwarded-For`
 * entry: the one the proxy in front appended. Earlier entries are whatever
 * the client sent, so taking the first would let any client pick its key.
 */
function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const header = Array.isArray(forwarded) ? forwarded[forwarded.length - 1] : forwarded;
    const last = header?.slice(header.lastIndexOf(",") + 1).trim();
    // Bounded: the key is held in memory until evicted.
    if (last !== undefined && last !== "" && last.length <= 64) return last;
  }
  return req.socket.remoteAddress ?? "unknown";
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** 429 in Liveblocks' error shape, with `Retry-After`; the body of the request is not read, so the connection closes. */
function answerRateLimited(req: IncomingMessage, res: ServerResponse, retryAfterSeconds: number): void {
  const body = JSON.stringify({
    error: "RATE_LIMITED",
    message: `Too many requests from this address: retry in ${retryAfterSeconds} s.`,
    suggestion: "Slow down, or ask the operator to raise this server's --rate-limit.",
  });
  if (!req.complete) res.shouldKeepAlive = false;
  writeHead(res, ERROR_STATUS.RATE_LIMITED, {
    "content-type": "application/json",
    "retry-after": String(retryAfterSeconds),
  });
  res.end(body);
  req.resume();
}

/** `GET /metrics`: the registry in Prometheus text format; 401/403 in Liveblocks' error shape without the metrics token. */
async function answerMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: ServerMetrics,
  tokenDigest: Buffer | undefined,
): Promise<void> {
  req.resume();
  if (req.method !== "GET" && req.method !== "HEAD") {
    writeHead(res, ERROR_STATUS.METHOD_NOT_ALLOWED, { "content-type": "application/json", allow: "GET" });
    return void res.end(JSON.stringify({ error: "METHOD_NOT_ALLOWED", message: `${req.method} is not allowed on /metrics; use GET.` }));
  }
  if (tokenDigest !== undefined) {
    const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? "");
    if (match === null || !timingSafeEqual(digest(match[1]!), tokenDigest)) {
      const code = match === null ? "MISSING_SECRET_KEY" : "INVALID_SECRET_KEY";
      writeHead(res, ERROR_STATUS[code], { "content-type": "application/json", "www-authenticate": "Bearer" });
      return void res.end(JSON.stringify({ error: code, message: "/metrics needs Authorization: Bearer <the --metrics-token>." }));
    }
  }
  let text: string;
  try {
    text = await metrics.registry.metrics();
  } catch {
    writeHead(res, 500, { "content-type": "application/json" });
    return void res.end(JSON.stringify({ error: "INTERNAL_SERVER_ERROR", message: "The metrics could not be collected." }));
  }
  writeHead(res, 200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : text);
}
