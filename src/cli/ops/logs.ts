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

/** Random per process, so ids of several instances do not collide; a decimal counter after it (a UUID per request cost 1 µs). */
const ID_PREFIX = randomBytes(6).toString("base64url");
let lastId = 0;

/**
 * The client's `x-request-id` when it is sane (at most 128 of `A-Z a-z 0-9
 * . _ : -`), else a new id: this process's random prefix and a counter.
 *
 * @example
 * ```ts
 * requestIdOf("abc-123"); // "abc-123"
 * requestIdOf("bad id\n"); // e.g. "Xb3k9QmZ-41"
 * ```
 */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === "string" && SANE_REQUEST_ID.test(header) ? header : `${ID_PREFIX}-${++lastId}`;
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
  const time = isoTime(epochMs);
  if (format === "pretty") {
    return `${time} ${line.method} ${line.route} ${line.status} ${line.durationMs.toFixed(1)}ms ${line.requestId}`;
  }
  // Every field is a fixed word, a number, a route template or a sane id: none needs escaping.
  return `{"time":"${time}","level":"${levelOf(line.status)}","msg":"request","method":"${line.method}","route":"${line.route}","status":${line.status},"durationMs":${millis(line.durationMs)},"requestId":"${line.requestId}"}`;
}

/**
 * `ms` rounded to the microsecond, as a JSON number: written from integers
 * (a float's shortest decimal costs more than the rest of the line).
 */
function millis(ms: number): string {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 2 ** 31)) return String(Math.round(ms * 1000) / 1000);
  const fraction = us % 1000;
  const whole = (us - fraction) / 1000;
  return `${whole}.${fraction < 10 ? "00" : fraction < 100 ? "0" : ""}${fraction}`;
}

let lastSecond = Number.NaN;
let secondPrefix = "";

/**
 * `new Date(epochMs).toISOString()`, formatting a date once per second: a
 * busy server logs many lines in one.
 */
function isoTime(epochMs: number): string {
  const ms = epochMs % 1000;
  // Before 1970 or not whole milliseconds: as it is.
  if (!(ms >= 0 && Number.isInteger(ms))) return new Date(epochMs).toISOString();
  const second = epochMs - ms;
  if (second !== lastSecond) {
    lastSecond = second;
    secondPrefix = new Date(epochMs).toISOString().slice(0, -4); // "YYYY-MM-DDTHH:MM:SS."
  }
  return `${secondPrefix}${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z`;
}

/** How long request lines may wait to be written, in ms. */
export const LOG_FLUSH_MS = 50;
/** Pending text that is written at once, without waiting (characters). */
export const LOG_FLUSH_CHARS = 64 * 1024;

/** A line writer that holds lines back; `flush` writes what it holds now. */
export type BatchedLines = ((line: string) => void) & { flush(): void };

/**
 * A writer that gathers lines and hands them to `write` joined, at most
 * {@link LOG_FLUSH_MS} after the first one or once {@link LOG_FLUSH_CHARS}
 * are pending: a write is a system call, and at thousands of requests per
 * second one per turn of the event loop cost more than the rest of the
 * line (measured: 23 µs of server CPU per request, then ~3). What is
 * pending is written when the process exits; a SIGKILL loses at most the
 * last {@link LOG_FLUSH_MS}.
 *
 * @example
 * ```ts
 * const line = batchedLines((text) => process.stdout.write(`${text}\n`));
 * line("one"); line("two"); // one write of "one\ntwo" within 50 ms
 * ```
 */
export function batchedLines(write: (text: string) => void): BatchedLines {
  // An array joined once: appending to one string builds a rope that is flattened at the write.
  let pending: string[] = [];
  let chars = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    holding.delete(flush);
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    chars = 0;
    write(lines.join("\n"));
  };
  const line = (text: string) => {
    pending.push(text);
    chars += text.length + 1;
    if (chars >= LOG_FLUSH_CHARS) return flush();
    if (timer !== undefined) return;
    timer = setTimeout(flush, LOG_FLUSH_MS).unref();
    hold(flush);
  };
  return Object.assign(line, { flush });
}

/** Writers with lines pending, flushed when the process exits (normally, by `process.exit` or on an uncaught exception). */
const holding = new Set<() => void>();
let exitHook = false;

function hold(flush: () => void): void {
  holding.add(flush);
  if (exitHook) return;
  exitHook = true;
  process.on("exit", () => {
    for (const pending of [...holding]) pending();
  });
}
