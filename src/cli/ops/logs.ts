/**
 * One log line per request: time, level, method, route template, status,
 * duration and request id, as JSON or as a short human line. Built from
 * fixed fields only: never the raw path or query string, never a header
 * value but a checked `x-request-id`, so no token or secret can get in.
 */
import { randomUUID } from "node:crypto";

/** How request lines are written. */
export type LogFormat = "json" | "pretty";

/** What one request line says. */
export type RequestLine = {
  method: string;
  route: string;
  status: number;
  durationMs: number;
  requestId: string;
};

/** A request id a client may choose: short and plain, so it can be logged and echoed as it is. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The client's `x-request-id` when it is sane (at most 128 of `A-Z a-z 0-9 . _ : -`), else a new UUID.
 *
 * @example
 * ```ts
 * requestIdOf("abc-123"); // "abc-123"
 * requestIdOf("bad id\n"); // a fresh UUID
 * ```
 */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === "string" && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** Known methods are logged as they are; anything else as `OTHER`, since the method is the client's. */
const METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** `method` if it is a usual one, else `"OTHER"`. */
export function methodLabel(method: string | undefined): string {
  return method !== undefined && METHODS.has(method) ? method : "OTHER";
}

function levelOf(status: number): "info" | "warn" | "error" {
  return status >= 500 ? "error" : status >= 400 ? "warn" : "info";
}

/**
 * The line for one request, without the newline.
 *
 * @example
 * ```ts
 * formatRequestLine("json", { method: "GET", route: "/v2/rooms/:roomId", status: 200, durationMs: 1.2, requestId: "r1" }, new Date());
 * ```
 */
export function formatRequestLine(format: LogFormat, line: RequestLine, time: Date): string {
  const ms = Math.round(line.durationMs * 1000) / 1000;
  if (format === "pretty") {
    return `${time.toISOString()} ${line.method} ${line.route} ${line.status} ${ms.toFixed(1)}ms ${line.requestId}`;
  }
  // Every field is a fixed word, a number, a template or a sane id: no escaping is needed but JSON's own.
  return `{"time":"${time.toISOString()}","level":"${levelOf(line.status)}","msg":"request","method":"${line.method}","route":${JSON.stringify(line.route)},"status":${line.status},"durationMs":${ms},"requestId":"${line.requestId}"}`;
}
