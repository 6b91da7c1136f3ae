/**
 * Request bodies read as a stream with a size limit counted while reading,
 * so a client cannot make the server buffer more than the limit whatever
 * `content-length` says (or does not say).
 */
import { httpMessages } from "../protocol/messages.js";
import { BodyTooLargeError, readBounded } from "../runtime/body.js";
import { HttpError } from "./responses.js";

/** Stateless outside streaming mode, so one decoder serves every request. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The default request-body limit: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * What the routes read of a request: the Web handler wraps a `Request` in it,
 * the node adapter an `IncomingMessage`, so neither pays for the other's
 * object model.
 */
export type IncomingRequest = {
  method: string;
  /** Absolute URL, path still percent-encoded. */
  url: string;
  /** The request target as sent (path and query, percent-encoded), when known without building a URL. */
  path?: string;
  headers: { get(name: string): string | null };
  signal: AbortSignal;
  /** The whole body; rejects with a 413 `HttpError` past `limit` bytes, counted while reading. */
  readBody(limit: number): Promise<Uint8Array>;
};

/** `request` as an {@link IncomingRequest}. */
export function fromWebRequest(request: Request): IncomingRequest {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    signal: request.signal,
    readBody: (limit) => readBytes(request, limit),
  };
}

/**
 * The body of `request` parsed as JSON: 415 if its `Content-Type` names
 * something else, 413 past `limit` bytes, 400 if it is not JSON; an empty
 * body reads as `undefined`.
 */
export async function readJsonBody(request: IncomingRequest, limit: number): Promise<unknown> {
  const declared = request.headers.get("content-length");
  const type = request.headers.get("content-type");
  // An empty body (a bodiless POST, fetch's `body: ""`) has nothing to mistype.
  if (type !== null && declared !== "0" && !isJsonType(type)) {
    throw new HttpError("UNSUPPORTED_MEDIA_TYPE", httpMessages.unsupportedMediaType(type));
  }
  if (declared !== null && Number(declared) > limit) throw new HttpError("BODY_TOO_LARGE", httpMessages.bodyTooLarge(limit));
  const bytes = await request.readBody(limit);
  if (bytes.byteLength === 0) return undefined;
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new HttpError("MALFORMED_JSON", httpMessages.malformedJson("the body is not valid UTF-8"));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError("MALFORMED_JSON", httpMessages.malformedJson((err as Error).message));
  }
}

/**
 * Is `type` a JSON media type: `application/json` or any `…/…+json`, with
 * any parameters, in any case? A missing `Content-Type` is not checked here:
 * curl and raw HTTP clients often send JSON without one, and the bearer
 * secret, not the type, is what keeps other sites' requests out.
 */
export function isJsonType(type: string): boolean {
  const essence = type.split(";", 1)[0]!.trim().toLowerCase();
  return essence === "application/json" || /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+\+json$/.test(essence);
}

async function readBytes(request: Request, limit: number): Promise<Uint8Array> {
  try {
    // Raced against the request's signal: a client that leaves mid-body (a stalled upload) settles the read.
    return await readBounded(request.body, limit, request.signal);
  } catch (error) {
    if (request.signal.aborted) throw new HttpError("REQUEST_ABORTED", httpMessages.aborted);
    if (error instanceof BodyTooLargeError) throw new HttpError("BODY_TOO_LARGE", httpMessages.bodyTooLarge(limit));
    // The node adapter errors the stream with its own 413 past its limit.
    if (error instanceof HttpError) throw error;
    throw new HttpError("UNREADABLE_BODY", httpMessages.unreadableBody);
  }
}
