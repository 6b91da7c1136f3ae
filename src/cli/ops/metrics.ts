/**
 * The metrics of `roomgate serve`, in a prom-client registry of their own
 * (never the global one, which a host application may fill): HTTP requests,
 * entry decisions, tokens issued, store calls, open event streams, requests
 * refused by the rate limits, and Node's process metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { LiveblocksObserver } from "../../index.js";

/** Latency buckets in seconds: a token or a cached read takes well under a millisecond. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

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
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "roomgate_http_requests_total",
    help: "HTTP requests answered, by method, route template and status.",
    labelNames: ["method", "route", "status"] as const,
    registers,
  });
  const latency = new Histogram({
    name: "roomgate_http_request_duration_seconds",
    help: "Time from request to response end (event streams: their life), by method and route template.",
    labelNames: ["method", "route"] as const,
    buckets: BUCKETS,
    registers,
  });
  const decisions = new Counter({
    name: "roomgate_entry_decisions_total",
    help: "Room-entry decisions: checkRoomAccess (check), a watch's first decision (watch) and its changes (rewatch).",
    labelNames: ["source", "outcome", "reason"] as const,
    registers,
  });
  const tokens = new Counter({
    name: "roomgate_tokens_issued_total",
    help: "Tokens signed and answered, by kind (id, access).",
    labelNames: ["kind"] as const,
    registers,
  });
  const storeLatency = new Histogram({
    name: "roomgate_store_operation_duration_seconds",
    help: "Store calls until they settled, by operation.",
    labelNames: ["operation"] as const,
    buckets: BUCKETS,
    registers,
  });
  const storeErrors = new Counter({
    name: "roomgate_store_errors_total",
    help: "Store calls that rejected, by operation and error code.",
    labelNames: ["operation", "code"] as const,
    registers,
  });
  new Gauge({
    name: "roomgate_event_streams_open",
    help: "Open /v2/room-events streams.",
    registers,
    collect() {
      this.set(openStreams());
    },
  });
  const limited = new Counter({
    name: "roomgate_rate_limited_total",
    help: "Requests answered 429 by a rate limit, by route family.",
    labelNames: ["family"] as const,
    registers,
  });

  // Children cached by their label values: prom-client hashes the labels object on every call otherwise.
  const requestChildren = new Map<string, { count: Counter.Internal; time: Histogram.Internal<"method" | "route"> }>();
  const errorCodes = new Set<string>();
  return {
    registry,
    observer: {
      onDecision: ({ source, outcome, reason }) => decisions.labels(source, outcome, reason ?? "").inc(),
      onTokenIssued: ({ kind }) => tokens.labels(kind).inc(),
      onStoreCall: ({ operation, durationMs, errorCode }) => {
        storeLatency.labels(operation).observe(durationMs / 1000);
        if (errorCode === undefined) return;
        if (!errorCodes.has(errorCode) && errorCodes.size < MAX_ERROR_CODES) errorCodes.add(errorCode);
        storeErrors.labels(operation, errorCodes.has(errorCode) ? errorCode : "OTHER").inc();
      },
    },
    request(method, route, status, seconds) {
      const key = `${method} ${route} ${status}`;
      let child = requestChildren.get(key);
      if (child === undefined) {
        child = { count: requests.labels(method, route, String(status)), time: latency.labels(method, route) };
        requestChildren.set(key, child);
      }
      child.count.inc();
      child.time.observe(seconds);
    },
    rateLimited(family) {
      limited.labels(family).inc();
    },
  };
}
