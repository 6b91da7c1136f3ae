/**
 * The metrics of `roomgate serve`, in a prom-client registry of their own
 * (never the global one, which a host application may fill): HTTP requests,
 * entry decisions, tokens issued, store calls, open event streams, requests
 * refused by the rate limits, and Node's process metrics. Per-request
 * series are counted in plain numbers ({@link SeriesFamily}) and formatted
 * by prom-client at scrape.
 */
import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { LiveblocksObserver } from "../../index.js";
import { SeriesFamily } from "./series.js";

/** Latency buckets in seconds: a token or a cached read takes well under a millisecond. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The labels of a tokens-issued series, from its key (the token kind). */
const kindLabels = (kind: string) => ({ kind });

/** At most this many distinct store error codes are labelled; the rest count as `OTHER`. */
const MAX_ERROR_CODES = 64;

/** The server's metrics and the hooks that feed them. */
export type ServerMetrics = {
  registry: Registry;
  /** For `new Liveblocks({ observer })`. */
  observer: LiveblocksObserver;
  /** Counts one finished request. */
  request(method: string, route: string, status: number, seconds: number): void;
  /** Counts one request refused by a rate limit. */
  rateLimited(family: string): void;
};

/**
 * Creates the metrics; `openStreams` is read at each scrape.
 *
 * @example
 * ```ts
 * const metrics = createServerMetrics(() => streams.size);
 * const liveblocks = new Liveblocks({ secret, observer: metrics.observer });
 * res.end(await metrics.registry.metrics());
 * ```
 */
export function createServerMetrics(openStreams: () => number): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const family = (name: string, help: string, type: "counter" | "histogram") => {
    const metric = new SeriesFamily(name, help, type, type === "histogram" ? BUCKETS : []);
    registry.registerMetric(metric as never);
    return metric;
  };
  const requests = family("roomgate_http_requests_total", "HTTP requests answered, by method, route template and status.", "counter");
  const latency = family(
    "roomgate_http_request_duration_seconds",
    "Time from request to response end (event streams: their life), by method and route template.",
    "histogram",
  );
  const decisions = family(
    "roomgate_entry_decisions_total",
    "Room-entry decisions: checkRoomAccess (check), a watch's first decision (watch) and its changes (rewatch).",
    "counter",
  );
  const tokens = family("roomgate_tokens_issued_total", "Tokens signed and answered, by kind (id, access).", "counter");
  const storeLatency = family("roomgate_store_operation_duration_seconds", "Store calls until they settled, by operation.", "histogram");
  const storeErrors = family("roomgate_store_errors_total", "Store calls that rejected, by operation and error code.", "counter");
  const limited = family("roomgate_rate_limited_total", "Requests answered 429 by a rate limit, by route family.", "counter");
  new Gauge({
    name: "roomgate_event_streams_open",
    help: "Open /v2/room-events streams.",
    registers: [registry],
    collect() {
      this.set(openStreams());
    },
  });

  const errorCodes = new Set<string>();
  // Bounded: methods are the usual ones or OTHER, routes are templates, statuses are what the server answers.
  type RequestKeys = {
    request: string;
    latency: string;
    requestLabels: () => Record<string, string>;
    latencyLabels: () => Record<string, string>;
  };
  const keysByRoute = new Map<string, Map<string, Map<number, RequestKeys>>>();
  const requestKeys = (method: string, route: string, status: number) => {
    let byMethod = keysByRoute.get(route);
    if (byMethod === undefined) keysByRoute.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
    let keys = byStatus.get(status);
    if (keys === undefined) {
      keys = {
        request: `${method} ${route} ${status}`,
        latency: `${method} ${route}`,
        requestLabels: () => ({ method, route, status: String(status) }),
        latencyLabels: () => ({ method, route }),
      };
      byStatus.set(status, keys);
    }
    return keys;
  };
  return {
    registry,
    observer: {
      onDecision: ({ source, outcome, reason = "" }) =>
        decisions.add(`${source} ${outcome} ${reason}`, () => ({ source, outcome, reason })),
      onTokenIssued: ({ kind }) => tokens.add(kind, kindLabels),
      onStoreCall: ({ operation, durationMs, errorCode }) => {
        storeLatency.add(operation, () => ({ operation }), durationMs / 1000);
        if (errorCode === undefined) return;
        if (!errorCodes.has(errorCode) && errorCodes.size < MAX_ERROR_CODES) errorCodes.add(errorCode);
        const code = errorCodes.has(errorCode) ? errorCode : "OTHER";
        storeErrors.add(`${operation} ${code}`, () => ({ operation, code }));
      },
    },
    request(method, route, status, seconds) {
      // The keys are made once per route, method and status: building and hashing them per request cost more than counting.
      const keys = requestKeys(method, route, status);
      requests.add(keys.request, keys.requestLabels);
      latency.add(keys.latency, keys.latencyLabels, seconds);
    },
    rateLimited(family) {
      limited.add(family, () => ({ family }));
    },
  };
}
