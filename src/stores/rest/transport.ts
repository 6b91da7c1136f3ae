/**
 * The HTTP half of {@link RestStore}: one JSON request to a
 * Liveblocks-compatible REST API, with a per-attempt timeout, the caller's
 * abort signal, and retries only where a retry cannot apply a write twice.
 *
 * It uses the global `fetch` (Node's built-in undici, which keeps one
 * keep-alive connection pool per origin), not the `undici` package, so the
 * store needs no dependency and runs where `fetch` does (edge runtimes).
 */
import { LiveblocksError, isErrorCode } from "../../protocol/errors.js";
import { NO_MESSAGE } from "../../protocol/messages.js";
import { BodyTooLargeError, readBounded } from "../../runtime/body.js";
import { ACTOR_HEADER } from "../../protocol/actor.js";
import { invalidOption } from "../../runtime/options.js";

/**
 * Statuses that mean "not processed, try later": a gateway that could not
 * reach the server, or the server shedding load.
 */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Largest response body read: a page of 100 rooms at every limit is about
 * 3 MB, so anything near this is not the API talking.
 */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Replaces what is not UTF-8, as `Response.text()` does; stateless outside streaming mode, so one serves every call. */
const UTF8 = new TextDecoder();

/** Longest `Retry-After` worth waiting for; a longer one fails the call at once. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * How a request may be retried:
 * - `"always"`: repeating it cannot change the outcome (reads, `DELETE`,
 *   moving a revocation cutoff forward), so any transport failure, 429,
 *   502, 503 or 504 is retried;
 * - `"unsent"`: a write whose replay could apply twice or overwrite a newer
 *   write, retried only when the server provably did not process it (the
 *   connection was refused, or 429 Too Many Requests).
 */
export type RetryPolicy = "always" | "unsent";

/** @internal The transport's settings, resolved by `RestStore`. */
export type TransportOptions = {
  readonly baseUrl: URL;
  readonly secret: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly random: () => number;
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
};

/** @internal One request. `path` segments are already percent-encoded. */
export type RestRequest = {
  method: "GET" | "POST" | "DELETE";
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  retry: RetryPolicy;
  signal: AbortSignal | undefined;
  /** Who makes the write; sent percent-encoded in `X-Roomgate-Actor` (a header value is bytes). */
  actor?: string;
};

/** @internal A response: its status and its parsed JSON body (`undefined` if empty). */
export type RestResponse = { status: number; body: unknown };

/**
 * The server answered something that is not the REST API's JSON (an HTML
 * error page, a truncated or malformed body). Not a `LiveblocksError`: no
 * API decision was made.
 *
 * @example
 * ```ts
 * if (err instanceof RestResponseError) log.warn(err.status, err.message);
 * ```
 */
export class RestResponseError extends Error {
  readonly code = "ERR_REST_RESPONSE";
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = "RestResponseError";
    this.status = status;
  }
}

/**
 * Sends `request`, retrying per its policy with capped exponential backoff
 * and full jitter (or the server's `Retry-After`). Resolves with any status
 * the caller interprets (2xx, 404, 409, …); rejects with the caller's abort
 * reason (never retried), the last network error, or `RestResponseError`
 * (a redirect, which is never followed, is one).
 * @internal
 */
export async function send(options: TransportOptions, request: RestRequest): Promise<RestResponse> {
  const url = urlOf(options.baseUrl, request.path);
  if (request.query !== undefined) url.search = request.query.toString();
  const headers: Record<string, string> = { authorization: `Bearer ${options.secret}` };
  if (request.actor !== undefined) headers[ACTOR_HEADER] = encodeURIComponent(request.actor);
  let body: string | undefined;
  if (request.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(request.body);
  }

  for (let attempt = 0; ; attempt++) {
    request.signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = request.signal === undefined ? timeout : AbortSignal.any([request.signal, timeout]);
    const canRetry = attempt < options.retries;
    let status: number;
    let text: string;
    let retryAfter: string | null = null;
    try {
      // Never followed: a 307 would re-send a write's body (permissions, user ids) wherever it points.
      const response = await fetch(url, { method: request.method, headers, body, signal, redirect: "manual" });
      if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
        await response.body?.cancel();
        throw redirectError(request, response);
      }
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      // The body is part of the attempt: a reset mid-body is a failed attempt.
      text = await readText(response, request);
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      // An oversized body would be just as large the next time.
      if (error instanceof RestResponseError) throw error;
      const failure = timeout.aborted ? timeoutError(request, options.timeoutMs) : error;
      if (!canRetry || (request.retry === "unsent" && !wasRefused(error))) throw failure;
      await options.sleep(backoff(options, attempt), request.signal);
      continue;
    }

    if (RETRYABLE_STATUSES.has(status) && canRetry && (request.retry === "always" || status === 429)) {
      const waitMs = (retryAfter === null ? undefined : parseRetryAfter(retryAfter, options.now)) ?? backoff(options, attempt);
      if (waitMs <= MAX_RETRY_AFTER_MS) {
        await options.sleep(waitMs, request.signal);
        continue;
      }
    }
    return { status, body: parseBody(request, status, text) };
  }
}

/**
 * The `LiveblocksError` of an error response, built as `@liveblocks/node`
 * builds it: the body's `message` (or a fallback), the same status, and
 * `suggestion` / `docs` as details; its `code` is the body's `error` when
 * that is a code (`ROOM_NOT_FOUND`, …), else the one HTTP names for the status.
 * @internal
 */
export function apiError(response: RestResponse): LiveblocksError {
  const body = (typeof response.body === "object" && response.body !== null ? response.body : {}) as Record<string, unknown>;
  const message = typeof body["message"] === "string" && body["message"] !== "" ? body["message"] : NO_MESSAGE;
  const details = [
    body["suggestion"] ? `Suggestion: ${String(body["suggestion"])}` : undefined,
    body["docs"] ? `See also: ${String(body["docs"])}` : undefined,
  ]
    .filter(Boolean)
    .join("\n");
  const code = isErrorCode(body["error"]) ? body["error"] : undefined;
  return new LiveblocksError(message, response.status, details === "" ? undefined : details, code);
}

/**
 * `path` under `baseUrl`, keeping the base's own path prefix.
 * @internal
 */
export function urlOf(baseUrl: URL, path: string): URL {
  return new URL(baseUrl.pathname.replace(/\/$/, "") + path, baseUrl);
}

/**
 * Full jitter over a capped exponential: spreads the retries of many instances apart.
 * @internal
 */
export function backoff(options: TransportOptions, attempt: number): number {
  const cap = Math.min(options.maxBackoffMs, options.backoffMs * 2 ** attempt);
  return Math.floor(options.random() * cap);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; `undefined` if unreadable. */
function parseRetryAfter(value: string, now: () => number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

/** Did the connection fail before the request could reach the server? */
function wasRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return cause?.code === "ECONNREFUSED";
}

function redirectError(request: RestRequest, response: Response): RestResponseError {
  const location = response.headers.get("location");
  const to = location === null ? "" : ` to ${JSON.stringify(location.slice(0, 200))}`;
  return new RestResponseError(
    `${request.method} ${request.path} answered a redirect (${response.status}${to}), not followed: set baseUrl to the server's own URL`,
    response.status,
  );
}

function timeoutError(request: RestRequest, timeoutMs: number): Error {
  const error = new Error(`${request.method} ${request.path} timed out after ${timeoutMs} ms`);
  error.name = "TimeoutError";
  return error;
}

/** The body as text, refusing (before buffering it) one larger than the bound. */
async function readText(response: Response, request: RestRequest): Promise<string> {
  const tooLarge = () =>
    new RestResponseError(`${request.method} ${request.path} answered a body over ${MAX_RESPONSE_BYTES} bytes`, response.status);
  if (Number(response.headers.get("content-length") ?? 0) > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw tooLarge();
  }
  let bytes: Uint8Array;
  try {
    // The request's signal (the caller's and the attempt's timeout) already cuts the body off.
    bytes = await readBounded(response.body, MAX_RESPONSE_BYTES);
  } catch (error) {
    throw error instanceof BodyTooLargeError ? tooLarge() : error;
  }
  return UTF8.decode(bytes);
}

function parseBody(request: RestRequest, status: number, text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // A proxy's HTML error page is still an API error with that status.
    if (status >= 400) return { message: text.slice(0, 200) };
    throw new RestResponseError(`${request.method} ${request.path} answered ${status} with a body that is not JSON`, status);
  }
}

/**
 * `value` as the http(s) URL of a Liveblocks-compatible server, or the SDK-style
 * error naming `baseUrl`. The facade checks its own `baseUrl` option with it too.
 * @internal
 */
export function toBaseUrl(value: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof value === "string" || value instanceof URL ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw invalidOption("baseUrl", "an http(s) URL");
  }
  return url;
}
