/**
 * Verifying a delivery on the receiving side: roomgate's own
 * `WebhookHandler`, which behaves as `@liveblocks/node`'s does (±5 minutes
 * on the timestamp, any of several space-separated signatures) and also
 * accepts roomgate's own event types. Comparisons are constant-time and an
 * error never echoes a signature.
 */
import { signatureOf, webhookSecretKey } from "./signing.js";
import { type RoomgateWebhookEvent, isWebhookEventType } from "./events.js";
import { isObject } from "../runtime/json.js";

/** How far a `webhook-timestamp` may be from now, in seconds, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** What `verifyRequest` reads: the request's headers and its body exactly as received. */
export type WebhookRequest = {
  headers: Headers | Record<string, string | string[] | undefined>;
  rawBody: string;
};

/** Why a delivery was refused, as `err.code`. */
export type WebhookVerificationCode =
  | "MISSING_HEADER"
  | "INVALID_TIMESTAMP"
  | "TIMESTAMP_TOO_OLD"
  | "TIMESTAMP_IN_FUTURE"
  | "INVALID_SIGNATURE"
  | "INVALID_BODY"
  | "UNKNOWN_EVENT_TYPE";

/** A delivery that did not verify; `code` says why. */
export class WebhookVerificationError extends Error {
  readonly code: WebhookVerificationCode;
  constructor(code: WebhookVerificationCode, message: string) {
    super(message);
    this.name = "WebhookVerificationError";
    this.code = code;
  }
}

function header(headers: WebhookRequest["headers"], name: string): string | undefined {
  if (typeof Headers !== "undefined" && headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const value = (headers as Record<string, unknown>)[key];
    return typeof value === "string" ? value : undefined;
  }
  return undefined;
}

/** Equal strings, in time that depends only on their lengths. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Verifies signed webhook deliveries: the Liveblocks events and roomgate's
 * own. Receivers that only take Liveblocks events can use
 * `@liveblocks/node`'s `WebhookHandler` instead; both accept the same
 * signatures.
 *
 * @example
 * ```ts
 * import { WebhookHandler } from "roomgate";
 * const handler = new WebhookHandler(process.env.ROOMGATE_WEBHOOK_SECRET!);
 * export async function POST(request: Request) {
 *   const event = handler.verifyRequest({ headers: request.headers, rawBody: await request.text() });
 *   if (event.type === "roomUpdated") console.log(event.data.changes);
 *   return new Response(null, { status: 204 });
 * }
 * ```
 */
export class WebhookHandler {
  readonly #keys: Uint8Array[];
  readonly #now: () => number;

  /**
   * @param secret The endpoint's `whsec_…` secret, or several (during a rotation).
   * @param options.now The clock, in milliseconds (tests).
   */
  constructor(secret: string | readonly string[], options?: { now?: () => number }) {
    const secrets = typeof secret === "string" ? [secret] : [...secret];
    if (secrets.length === 0) throw new TypeError("Secret is required");
    this.#keys = secrets.map((one) => {
      const key = typeof one === "string" ? webhookSecretKey(one) : null;
      if (key === null) throw new TypeError("Invalid secret, must be whsec_ followed by base64 of 16 to 64 bytes");
      return key;
    });
    this.#now = options?.now ?? Date.now;
  }

  /**
   * Checks the headers, the timestamp and a signature, then returns the
   * event. Throws a `WebhookVerificationError` otherwise.
   *
   * @param request The headers and the raw body (`await request.text()`; never a re-serialized object).
   * @example
   * ```ts
   * const event = handler.verifyRequest({ headers: req.headers, rawBody: req.body.toString("utf8") });
   * ```
   */
  verifyRequest(request: WebhookRequest): RoomgateWebhookEvent {
    const id = header(request.headers, "webhook-id");
    const timestamp = header(request.headers, "webhook-timestamp");
    const signatures = header(request.headers, "webhook-signature");
    if (id === undefined) throw new WebhookVerificationError("MISSING_HEADER", "Invalid webhook-id header");
    if (timestamp === undefined) throw new WebhookVerificationError("MISSING_HEADER", "Invalid webhook-timestamp header");
    if (signatures === undefined) throw new WebhookVerificationError("MISSING_HEADER", "Invalid webhook-signature header");
    if (typeof request.rawBody !== "string") throw new WebhookVerificationError("INVALID_BODY", "rawBody must be the body as a string");
    if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError("INVALID_TIMESTAMP", "Invalid timestamp");
    const now = Math.floor(this.#now() / 1000);
    const seconds = Number(timestamp);
    if (seconds < now - WEBHOOK_TOLERANCE_SECONDS) throw new WebhookVerificationError("TIMESTAMP_TOO_OLD", "Timestamp too old");
    if (seconds > now + WEBHOOK_TOLERANCE_SECONDS) throw new WebhookVerificationError("TIMESTAMP_IN_FUTURE", "Timestamp in the future");
    const expected = this.#keys.map((key) => signatureOf(key, id, timestamp, request.rawBody));
    const given = signatures
      .split(" ")
      .filter((part) => part.startsWith("v1,"))
      .map((part) => part.slice(3));
    let matched = false;
    for (const candidate of given) for (const signature of expected) if (constantTimeEqual(candidate, signature)) matched = true;
    if (!matched) throw new WebhookVerificationError("INVALID_SIGNATURE", "No signature matches the secret");
    let event: unknown;
    try {
      event = JSON.parse(request.rawBody);
    } catch {
      throw new WebhookVerificationError("INVALID_BODY", "The body is not JSON");
    }
    if (!isObject(event) || !isObject(event.data)) throw new WebhookVerificationError("INVALID_BODY", "The body is not an event");
    if (typeof event.type !== "string" || !isWebhookEventType(event.type)) {
      throw new WebhookVerificationError("UNKNOWN_EVENT_TYPE", "Unknown event type, please upgrade roomgate");
    }
    return event as RoomgateWebhookEvent;
  }
}
