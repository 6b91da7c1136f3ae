/**
 * The project's secret key: the SDK's format rules, roomgate's strength rule,
 * and the constant-time check the HTTP layer authenticates requests with.
 */
import { sha256, timingSafeEqual } from "../tokens/crypto/node.js";
import { weakSecretReason } from "../tokens/secret.js";
import { messages } from "./errors.js";

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
 * Compares a presented secret with the project's in constant time: both are
 * hashed first, so neither the content nor the length leaks through timing.
 * @internal
 */
export function createSecretCheck(secret: string): (candidate: string) => boolean {
  const expected = sha256(secret);
  return (candidate) => typeof candidate === "string" && timingSafeEqual(sha256(candidate), expected);
}
