/**
 * One log line per request: time, level, method, route template, status,
 * duration and request id, as JSON or as a short human line. Built from
 * fixed fields only: never the raw path or query string, never a header
 * value but a checked `x-request-id`, so no token or secret can get in.
 */
import { randomBytes } from "node:crypto";

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

/** Random per process, so ids of several instances do not collide; a counter after it (a UUID per request cost 1 µs). */
const ID_PREFIX = randomBytes(6).toString("base64url");
let lastId = 0;

/**
 * The client's `x-request-id` when it is sane (at most 128 of `A-Z a-z 0-9
 * . _ : -`), else a new id: this process's random prefix and a counter.
 *
 * @example
 * ```ts
 * requestIdOf("abc-123"); // "abc-123"
 * requestIdOf("bad id\n"); // e.g. "Xb3k9QmZ-1f"
 * ```
 */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === "string" && SANE_REQUEST_ID.test(header) ? header : `${ID_PREFIX}-${(++lastId).toString(36)}`;
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
export function formatRequestLine(format: LogFormat, line: RequestLine, epochMs: number): string {
  const ms = Math.round(line.durationMs * 1000) / 1000;
  const time = isoTime(epochMs);
  if (format === "pretty") {
    return `${time} ${line.method} ${line.route} ${line.status} ${ms.toFixed(1)}ms ${line.requestId}`;
  }
  // Every field is a fixed word, a number, a route template or a sane id: none needs escaping.
  return `{"time":"${time}","level":"${levelOf(line.status)}","msg":"request","method":"${line.method}","route":"${line.route}","status":${line.status},"durationMs":${ms},"requestId":"${line.requestId}"}`;
}

let lastMs = Number.NaN;
let lastIso = "";

/** `toISOString` of `epochMs`, made once per millisecond: a busy server logs several lines in one. */
function isoTime(epochMs: number): string {
  if (epochMs !== lastMs) {
    lastMs = epochMs;
    lastIso = new Date(epochMs).toISOString();
  }
  return lastIso;
}

/**
 * A writer that gathers lines and hands them to `write` once per turn of the
 * event loop, joined: a write per request is a system call per request.
 *
 * @example
 * ```ts
 * const line = batchedLines((text) => process.stdout.write(`${text}\n`));
 * line("one"); line("two"); // one write of "one\ntwo\n" after this turn
 * ```
 */
export function batchedLines(write: (text: string) => void): (line: string) => void {
  let pending: string[] = [];
  const flush = () => {
    const lines = pending;
    pending = [];
    write(lines.join("\n"));
  };
  return (line) => {
    if (pending.push(line) === 1) setImmediate(flush);
  };
}
