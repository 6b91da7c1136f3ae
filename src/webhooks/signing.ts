/**
 * Webhook signing as Svix and Liveblocks sign: a `whsec_<base64>` secret, and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, several
 * space-separated while a secret rotates. Pure JavaScript HMAC
 * (`@noble/hashes`), so a receiver on a Web runtime verifies the same way.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomFill } from "../runtime/crypto/node.js";

/** Every webhook secret starts with this. */
export const WEBHOOK_SECRET_PREFIX = "whsec_";

/** Random bytes in a generated secret (Svix uses 24). */
const SECRET_BYTES = 24;

/** The headers a signed delivery carries. */
export type WebhookHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/** Standard base64 (with padding) of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The bytes of standard base64 `text`, or `null` if it is not base64. */
export function fromBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) return null;
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

/**
 * A new random webhook secret, `whsec_` and 24 random bytes in base64.
 *
 * @example
 * ```ts
 * const secret = generateWebhookSecret(); // "whsec_…"
 * ```
 */
export function generateWebhookSecret(): string {
  const bytes = new Uint8Array(SECRET_BYTES);
  randomFill(bytes);
  return WEBHOOK_SECRET_PREFIX + toBase64(bytes);
}

/** The key bytes of a `whsec_` secret, or `null` if it is not one (prefix, base64, at least 16 bytes). */
export function webhookSecretKey(secret: string): Uint8Array | null {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return null;
  const key = fromBase64(secret.slice(WEBHOOK_SECRET_PREFIX.length));
  return key !== null && key.length >= 16 && key.length <= 64 ? key : null;
}

const encoder = new TextEncoder();

/** The base64 HMAC-SHA256 of `id.timestamp.body` under `key`. */
export function signatureOf(key: Uint8Array, id: string, timestamp: number | string, body: string): string {
  return toBase64(hmac(sha256, key, encoder.encode(`${id}.${timestamp}.${body}`)));
}

/**
 * The three headers of a delivery: one `v1,` signature per secret (the new
 * one first while a rotation overlaps).
 *
 * @example
 * ```ts
 * const headers = signWebhook({ id: "msg_1", timestamp: 1700000000, body, secrets: [secret] });
 * ```
 */
export function signWebhook(params: { id: string; timestamp: number; body: string; secrets: readonly string[] }): WebhookHeaders {
  const signatures = params.secrets.map((secret) => {
    const key = webhookSecretKey(secret);
    if (key === null) throw new TypeError("Invalid webhook secret: expected whsec_ and base64 of 16 to 64 bytes.");
    return `v1,${signatureOf(key, params.id, params.timestamp, params.body)}`;
  });
  return {
    "webhook-id": params.id,
    "webhook-timestamp": String(params.timestamp),
    "webhook-signature": signatures.join(" "),
  };
}
