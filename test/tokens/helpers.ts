/**
 * Fixtures for the token tests: fixed clock, claims, and a forger that signs
 * any header and payload bytes with a real key, so that each check is
 * reached with a valid signature where the row needs one.
 */
import { createHmac, generateKeyPairSync, hkdfSync, sign, type KeyObject } from "node:crypto";
import { expect } from "vitest";
import { TokenError, type TokenErrorCode } from "../../src/tokens/errors.js";
import type { AccessTokenClaims, IdTokenClaims } from "../../src/tokens/types.js";

/** The tests' clock: 2025-01-01T00:00:00Z. */
export const NOW = Date.UTC(2025, 0, 1);
export const NOW_S = NOW / 1000;

export const SECRET = "sk_test_roomgate_0123456789abcdef";

export function idClaims(overrides: Partial<IdTokenClaims> = {}): IdTokenClaims {
  return { k: "id", pid: "pr_test", uid: "alice", gids: ["eng"], iat: NOW_S, exp: NOW_S + 3600, jti: "abcdefghijkl", ...overrides };
}

export function accessClaims(overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims {
  return {
    k: "acc",
    pid: "pr_test",
    uid: "alice",
    perms: { "org:*": ["*:read"], "org:room": ["*:write"] },
    iat: NOW_S,
    exp: NOW_S + 3600,
    jti: "abcdefghijkl",
    ...overrides,
  };
}

/** The documented HS256 key derivation, restated so the format is pinned. */
export function hs256Key(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "", "roomgate/v1/hs256-token-key", 32));
}

export function b64(text: string): string {
  return Buffer.from(text).toString("base64url");
}

export function b64json(value: unknown): string {
  return b64(JSON.stringify(value));
}

export type RawSigner = (signingInput: string) => string;

export const hmacRaw =
  (key: Uint8Array | string | KeyObject): RawSigner =>
  (input) =>
    createHmac("sha256", key).update(input).digest("base64url");

export const es256Raw =
  (privateKey: KeyObject): RawSigner =>
  (input) =>
    sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url");

export const eddsaRaw =
  (privateKey: KeyObject): RawSigner =>
  (input) =>
    sign(null, Buffer.from(input), privateKey).toString("base64url");

/**
 * A compact JWS over `header` and `payload` (objects are JSON-encoded,
 * strings are used as the raw segment), signed by `signer`.
 */
export function forge(header: object | string, payload: unknown, signer: RawSigner): string {
  const h = typeof header === "string" ? header : b64json(header);
  const p = typeof payload === "string" ? payload : b64json(payload);
  return `${h}.${p}.${signer(`${h}.${p}`)}`;
}

/** Asserts that `promise` rejects with a `TokenError` of `code` whose message matches. */
export async function expectTokenError(promise: Promise<unknown>, code: TokenErrorCode, message: string | RegExp): Promise<TokenError> {
  const err: unknown = await promise.then(
    () => {
      throw new Error(`expected a TokenError ${code}, but it resolved`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenError);
  const tokenError = err as TokenError;
  expect({ code: tokenError.code, message: tokenError.message }).toEqual({
    code,
    message: typeof message === "string" ? message : expect.stringMatching(message),
  });
  return tokenError;
}

export function es256Pair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("ec", { namedCurve: "P-256" });
}

export function ed25519Pair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("ed25519");
}

/** Replaces the character at `index` of `text`. */
export function replaceAt(text: string, index: number, char: string): string {
  return text.slice(0, index) + char + text.slice(index + 1);
}
