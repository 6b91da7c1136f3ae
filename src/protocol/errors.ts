/**
 * The one error class of the room methods, shaped like `@liveblocks/node`'s,
 * and the catalogue of every code an error of the facade or the REST server
 * carries, with its HTTP status: the HTTP layer answers with the status and
 * code an error carries and never re-decides them, and a REST client reads
 * the code back instead of matching message text.
 */
import { messages } from "./messages.js";

/**
 * Every code roomgate gives, and the HTTP status it is answered with. Codes
 * Liveblocks documents for its REST API are used as they are
 * (`ROOM_NOT_FOUND`, `ROOM_ALREADY_EXISTS`, `UNPROCESSABLE_ENTITY`,
 * `MISSING_SECRET_KEY`, `INVALID_SECRET_KEY`); the others are roomgate's.
 */
export const ERROR_STATUS = {
  /** The room does not exist. */
  ROOM_NOT_FOUND: 404,
  /** A room with that id exists (create, or rename to a taken id). */
  ROOM_ALREADY_EXISTS: 409,
  /** The group does not exist. */
  GROUP_NOT_FOUND: 404,
  /** A group with that id exists. */
  GROUP_ALREADY_EXISTS: 409,
  /** A field breaks a rule; the message names the field and the rule. */
  UNPROCESSABLE_ENTITY: 422,
  /** `startingAfter` is not a cursor this server issued. */
  INVALID_CURSOR: 422,
  /** `query` is not valid in the query language. */
  INVALID_QUERY: 422,
  /** Concurrent writers kept winning the race an upsert runs. */
  ROOM_KEPT_CHANGING: 409,
  /** The store cannot do what was asked (a store without rename). */
  NOT_IMPLEMENTED: 501,
  /** The REST request has no `Authorization: Bearer` header. */
  MISSING_SECRET_KEY: 401,
  /** The bearer token is not this server's secret key. */
  INVALID_SECRET_KEY: 403,
  /** No route has this path. */
  ROUTE_NOT_FOUND: 404,
  /** The route exists but not for this method. */
  METHOD_NOT_ALLOWED: 405,
  /** The request path is not valid percent-encoding, or its URL cannot be parsed. */
  INVALID_PATH: 400,
  /** The request body is not JSON (or not UTF-8). */
  MALFORMED_JSON: 400,
  /** The request body broke off while it was read. */
  UNREADABLE_BODY: 400,
  /** The request body is larger than the server accepts. */
  BODY_TOO_LARGE: 413,
  /** The request body's `Content-Type` is not JSON (`application/json` or `*+json`). */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The client aborted the request before it was answered. */
  REQUEST_ABORTED: 400,
  /** The store is busy (a SQLite file locked by another connection): retry after `Retry-After` seconds. */
  STORE_UNAVAILABLE: 503,
  /** The signer failed: no token was issued. */
  TOKEN_SIGNING_FAILED: 503,
  /** The webhook endpoint does not exist. */
  WEBHOOK_ENDPOINT_NOT_FOUND: 404,
  /** The webhook delivery does not exist. */
  WEBHOOK_DELIVERY_NOT_FOUND: 404,
  /** Anything the server did not expect; details are logged, never answered. */
  INTERNAL_SERVER_ERROR: 500,
  /** A rate limit of `roomgate serve` refused the request: retry after `Retry-After` seconds. */
  RATE_LIMITED: 429,
} as const satisfies Record<string, number>;

/** A code of {@link ERROR_STATUS}. */
export type LiveblocksErrorCode = keyof typeof ERROR_STATUS;

/**
 * A room method failed the way the Liveblocks API would have answered:
 * `status` is that HTTP status (404, 409, 422, …) and `code` says which
 * failure it is (`ROOM_NOT_FOUND`, `ROOM_ALREADY_EXISTS`, …), stable across
 * versions and the same on the REST wire, so callers narrow on it rather
 * than on the message.
 *
 * @example
 * ```ts
 * try {
 *   await liveblocks.getRoom("missing");
 * } catch (err) {
 *   if (err instanceof LiveblocksError && err.code === "ROOM_NOT_FOUND") console.log(err.message);
 * }
 * ```
 */
export class LiveblocksError extends Error {
  readonly status: number;
  readonly details?: string;
  /**
   * Which failure this is: a {@link LiveblocksErrorCode}, or the code
   * another Liveblocks-compatible server answered.
   */
  readonly code: LiveblocksErrorCode | (string & {});

  /**
   * @internal Thrown by roomgate; users only catch it. Without `code`, the
   * code is the one HTTP names for `status` (`NOT_FOUND`, `CONFLICT`, …).
   */
  constructor(message: string, status: number, details?: string, code: string = codeForStatus(status)) {
    super(message);
    this.name = "LiveblocksError";
    this.status = status;
    if (details !== undefined) this.details = details;
    this.code = code;
  }

  /** `LiveblocksError: <message> (status <status>)`, then details on a new line. */
  override toString(): string {
    const head = `${this.name}: ${this.message} (status ${this.status})`;
    return this.details ? `${head}\n${this.details}` : head;
  }
}

/** @internal An error with `code`, answered with the code's status. */
export function liveblocksError(code: LiveblocksErrorCode, message: string, details?: string): LiveblocksError {
  return new LiveblocksError(message, ERROR_STATUS[code], details, code);
}

/** @internal The room does not exist: 404 `ROOM_NOT_FOUND`. */
export function roomNotFound(roomId: string): LiveblocksError {
  return liveblocksError("ROOM_NOT_FOUND", messages.roomNotFound(roomId));
}

/** @internal The room id is taken: 409 `ROOM_ALREADY_EXISTS`. */
export function roomExists(roomId: string): LiveblocksError {
  return liveblocksError("ROOM_ALREADY_EXISTS", messages.roomExists(roomId));
}

/** @internal The group does not exist: 404 `GROUP_NOT_FOUND`. */
export function groupNotFound(groupId: string): LiveblocksError {
  return liveblocksError("GROUP_NOT_FOUND", messages.groupNotFound(groupId));
}

/** @internal The group id is taken: 409 `GROUP_ALREADY_EXISTS`. */
export function groupExists(groupId: string): LiveblocksError {
  return liveblocksError("GROUP_ALREADY_EXISTS", messages.groupExists(groupId));
}

/**
 * @internal Input broke a rule: 422, naming the field and the rule; `code`
 * says which kind of input when a caller must tell it apart (a cursor, a query).
 */
export function invalidField(
  field: string,
  rule: string,
  code: "UNPROCESSABLE_ENTITY" | "INVALID_CURSOR" | "INVALID_QUERY" = "UNPROCESSABLE_ENTITY",
): LiveblocksError {
  return liveblocksError(code, messages.invalidField(field, rule));
}

/** @internal A concurrent writer kept winning: 409 `ROOM_KEPT_CHANGING`. */
export function roomKeptChanging(roomId: string): LiveblocksError {
  return liveblocksError("ROOM_KEPT_CHANGING", messages.roomKeptChanging(roomId));
}

/** @internal The store cannot do what was asked: 501 `NOT_IMPLEMENTED`, as the official dev server answers. */
export function notImplemented(what: string): LiveblocksError {
  return liveblocksError("NOT_IMPLEMENTED", messages.notImplemented(what));
}

/** The `Retry-After` (seconds) answered with `STORE_UNAVAILABLE`: a lock held past the store's wait is usually short-lived. */
export const STORE_RETRY_AFTER_SECONDS = 1;

/** Socket-level error codes (Node's `err.code`): the store's server could not be reached or dropped the connection. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/**
 * @internal Is `error` a store that could not be reached, rather than a
 * fault? A socket error code on the error, its `cause` chain or an
 * `AggregateError`'s members (one per address tried); SQLSTATE class 08
 * (connection exception), 57P (the server is shutting down or starting) or
 * 53300 (too many connections); or pg's own "Connection terminated" errors.
 * Read from the error's shape, so the REST server needs no store to tell.
 */
export function isStoreUnreachable(error: unknown, depth = 0): boolean {
  if (depth > 4 || typeof error !== "object" || error === null) return false;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === "string") {
    if (UNREACHABLE_CODES.has(code)) return true;
    if (/^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/.test(code)) return true;
  }
  if (typeof message === "string" && /^Connection terminated( unexpectedly| due to connection timeout)?$/.test(message)) return true;
  if (Array.isArray(errors) && errors.slice(0, 8).some((member) => isStoreUnreachable(member, depth + 1))) return true;
  return isStoreUnreachable(cause, depth + 1);
}

/** Codes for statuses that carry none of their own: HTTP's reason phrase in UPPER_SNAKE. */
const STATUS_CODES: Readonly<Record<number, string>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE_ENTITY",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
  501: "NOT_IMPLEMENTED",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

/**
 * @internal The code of an error that came with `status` and no code (a
 * server that answers none, a proxy's error page): `HTTP_<status>` past the table.
 */
export function codeForStatus(status: number): string {
  return STATUS_CODES[status] ?? `HTTP_${status}`;
}

/** @internal Is `value` shaped like a code (UPPER_SNAKE), as a server's `error` field is read back? */
export function isErrorCode(value: unknown): value is string {
  return typeof value === "string" && /^[A-Z][A-Z0-9_]{0,63}$/.test(value);
}
