/**
 * Secret keys strong enough to derive a signing key from. The HS256 key and
 * the `pid` claim are both derived from the secret with HKDF, so anyone
 * holding one token can test a guess of the secret offline at HKDF speed:
 * the secret itself must carry at least 128 bits.
 */
import { base64urlEncode, randomFill } from "../runtime/crypto/node.js";

/** Characters after `sk_` needed for 128 bits from a 64-character alphabet (`[A-Za-z0-9_-]`). */
export const MIN_SECRET_CHARACTERS = 22;
/** Fewer distinct characters than this after `sk_` is a pattern, not a random key. */
const MIN_DISTINCT_CHARACTERS = 10;

/**
 * A new secret key: `sk_` and 43 base64url characters (32 random bytes,
 * 256 bits). The same as `npx roomgate secret` prints.
 *
 * @example
 * ```ts
 * const secret = generateSecret(); // "sk_Xb3…" (46 characters)
 * ```
 */
export function generateSecret(): string {
  const bytes = new Uint8Array(32);
  randomFill(bytes);
  return `sk_${base64urlEncode(bytes)}`;
}

/**
 * Why `secret` is too weak to sign with, or `undefined` if it is strong
 * enough: at least {@link MIN_SECRET_CHARACTERS} characters after `sk_`, not
 * a short pattern repeated. It cannot tell a random key from a long phrase:
 * generate keys, never type them.
 *
 * @example
 * ```ts
 * weakSecretReason("sk_dev_roomgate"); // "… has 12 characters after 'sk_' …"
 * weakSecretReason(generateSecret());   // undefined
 * ```
 */
export function weakSecretReason(secret: string): string | undefined {
  const key = secret.startsWith("sk_") ? secret.slice(3) : secret;
  if (key.length < MIN_SECRET_CHARACTERS) {
    return `it has ${key.length} characters after 'sk_', and at least ${MIN_SECRET_CHARACTERS} random ones (128 bits) are needed`;
  }
  if (new Set(key).size < MIN_DISTINCT_CHARACTERS) {
    return `it uses only ${new Set(key).size} distinct characters after 'sk_': it is a pattern, not a random key`;
  }
  return undefined;
}
