/**
 * The project's secret key: the SDK's format rules, roomgate's strength rule,
 * and the constant-time check the HTTP layer authenticates requests with.
 */
import { weakSecretReason } from "../tokens/secret.js";
import { messages } from "../protocol/messages.js";

const VALID_SECRET = /^[\w-]+$/;

/**
 * Throws the SDK's message for a missing, malformed or (roomgate's own rule)
 * weak secret key.
 * @internal
 */
export function assertSecretKey(value: unknown, field: string): asserts value is string {
  if (typeof value !== "string" || value.length === 0) throw new Error(messages.nonEmptyString(field));
  if (!value.startsWith("sk_")) throw new Error(messages.secretPrefix(field));
  if (!VALID_SECRET.test(value)) throw new Error(messages.secretChars(field));
  const weak = weakSecretReason(value);
  if (weak !== undefined) throw new Error(messages.weakSecret(field, weak));
}

/**
 * Compares a presented secret with the project's in constant time: every
 * character of the candidate is compared (against the secret's, cycling), so
 * the time depends only on the candidate's own length, which its sender knows
 * — never on where the first difference is, nor on the secret's length. Pure
 * JavaScript: a sha256 of each candidate cost more than the token signing
 * behind the bearer check, and this runs on every REST request.
 * @internal
 */
export function createSecretCheck(secret: string): (candidate: string) => boolean {
  const length = secret.length;
  return (candidate) => {
    if (typeof candidate !== "string") return false;
    let diff = candidate.length ^ length;
    for (let i = 0; i < candidate.length; i++) diff |= candidate.charCodeAt(i) ^ secret.charCodeAt(i % length);
    return diff === 0;
  };
}
