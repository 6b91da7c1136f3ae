/**
 * Compact JWS as roomgate writes and reads it, written once for every signer
 * and verifier: segment encoding, the strict format checks, keyrings, and the
 * precise rejection of foreign headers. The claims inside are `./claims.ts`.
 *
 * roomgate's tokens have a header known to the byte, so a verifier looks the
 * header segment up in a map of the headers it would accept and never parses
 * it on the fast path. Anything else takes a slow path that decodes the
 * header only to say exactly why it is rejected; it never verifies with it.
 */
import {
  base64urlDecode,
  canonicalBase64urlText,
  base64urlOfText,
  signInput,
  utf8Decode,
  verifyInput,
  type KeyObject,
  type MaybePromise,
} from "../runtime/crypto/node.js";
import { claimsOf } from "./claims.js";
import { isObject } from "../runtime/json.js";
import { quote, TokenError } from "./errors.js";
import type { TokenClaims, TokenVerifier, VerifyOptions } from "./types.js";

/** A JWS algorithm roomgate signs with. */
type SigningAlgorithm = TokenVerifier["alg"];

/**
 * Longest token roomgate signs or accepts, in characters (8 KiB). Longer
 * input is rejected before anything in it is decoded.
 */
export const MAX_TOKEN_LENGTH = 8192;

/** base64url length of each algorithm's raw signature (32 or 64 bytes). */
const SIGNATURE_CHARS: Readonly<Record<SigningAlgorithm, number>> = { HS256: 43, ES256: 86, EdDSA: 86 };
const SIGNATURE_BYTES: Readonly<Record<SigningAlgorithm, number>> = { HS256: 32, ES256: 64, EdDSA: 64 };
/** Headers that would let the token choose its own key: never honoured. */
const KEY_SOURCE_HEADERS = ["jku", "x5u", "jwk", "x5c"] as const;

// ---------------------------------------------------------------------------
// base64url

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE64URL_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64URL_ALPHABET.length; i++) BASE64URL_VALUE[BASE64URL_ALPHABET.charCodeAt(i)] = i;

/**
 * True if `segment` is unpadded base64url in its one canonical spelling.
 * The unused low bits of the last character must be zero: otherwise several
 * spellings decode to the same bytes, and a changed token would still verify.
 */
function isCanonicalBase64url(segment: string): boolean {
  if (!BASE64URL.test(segment)) return false;
  const tail = segment.length % 4;
  if (tail === 0) return true;
  if (tail === 1) return false;
  const last = BASE64URL_VALUE[segment.charCodeAt(segment.length - 1)] ?? 0;
  return (last & (tail === 2 ? 0x0f : 0x03)) === 0;
}

/** base64url of the JSON of `value`. */
function encodeJson(value: unknown): string {
  return base64urlOfText(JSON.stringify(value));
}

/**
 * The header segment of a roomgate token, byte for byte: `{"alg","typ","kid"}`
 * in that order, `kid` only when given.
 *
 * @example
 * ```ts
 * encodeHeader("HS256", undefined); // "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
 * ```
 */
export function encodeHeader(alg: SigningAlgorithm, kid: string | undefined): string {
  return encodeJson(kid === undefined ? { alg, typ: "JWT" } : { alg, typ: "JWT", kid });
}

// ---------------------------------------------------------------------------
// signing

/** A key that verifies tokens carrying exactly `headerSegment`. */
export interface VerificationKey {
  readonly alg: SigningAlgorithm;
  readonly kid: string | undefined;
  readonly headerSegment: string;
  /** The HMAC key, or the public key. */
  readonly key: KeyObject;
}

/**
 * Serialises `claims` in their own key order and signs them under
 * `headerSegment` with `key` (the HMAC key or the private key). Throws
 * `ERR_JWT_TOO_LARGE` rather than issue a token no verifier would accept.
 *
 * @example
 * ```ts
 * const token = signToken("ES256", encodeHeader("ES256", kid), privateKey, claims);
 * ```
 */
export function signToken(alg: SigningAlgorithm, headerSegment: string, key: KeyObject, claims: TokenClaims): MaybePromise<string> {
  return signPayload(alg, headerSegment, key, JSON.stringify(claims));
}

/**
 * {@link signToken} over claims already serialised: `payloadJson` must be
 * the JSON of a claims object (the facade builds it in one pass).
 *
 * @example
 * ```ts
 * const token = signPayload("HS256", encodeHeader("HS256", undefined), hmacKey, '{"k":"id",…}');
 * ```
 */
export function signPayload(alg: SigningAlgorithm, headerSegment: string, key: KeyObject, payloadJson: string): MaybePromise<string> {
  const signingInput = `${headerSegment}.${base64urlOfText(payloadJson)}`;
  // Never issue a token that every verifier would reject.
  if (signingInput.length + 1 + SIGNATURE_CHARS[alg] > MAX_TOKEN_LENGTH) {
    throw new TokenError(
      "ERR_JWT_TOO_LARGE",
      `The token would be ${signingInput.length + 1 + SIGNATURE_CHARS[alg]} characters, over the limit of ${MAX_TOKEN_LENGTH}; make "ui" (userInfo) or "perms" smaller`,
    );
  }
  const signature = signInput(alg, key, signingInput);
  return typeof signature === "string" ? `${signingInput}.${signature}` : signature.then((text) => `${signingInput}.${text}`);
}

// ---------------------------------------------------------------------------
// verification

/** The three segments of a compact JWS, and what the signature covers. */
interface TokenParts {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
  readonly signingInput: string;
}

/**
 * Which keys a verifier holds: by exact header segment for the fast path,
 * by `kid` (or `null` when its tokens carry no `kid`) for error messages.
 */
export interface Keyring {
  readonly alg: SigningAlgorithm;
  readonly byHeader: ReadonlyMap<string, VerificationKey>;
  readonly byKid: ReadonlyMap<string, VerificationKey> | null;
}

/**
 * A keyring over `keys`, all of algorithm `alg`. With `usesKid` false there
 * must be exactly one key, and tokens carry no `kid`.
 *
 * @example
 * ```ts
 * const keyring = createKeyring("HS256", false, [{ kid: undefined, key: hmacKey }]);
 * ```
 */
export function createKeyring(
  alg: SigningAlgorithm,
  usesKid: boolean,
  keys: ReadonlyArray<{ readonly kid: string | undefined; readonly key: KeyObject }>,
): Keyring {
  const byHeader = new Map<string, VerificationKey>();
  const byKid = usesKid ? new Map<string, VerificationKey>() : null;
  for (const { kid, key } of keys) {
    if (usesKid !== (kid !== undefined)) throw new TypeError(usesKid ? "Every key needs a kid" : "Unexpected kid");
    if (kid !== undefined && byKid?.has(kid)) throw new TypeError(`Two keys have the kid ${quote(kid)}`);
    const verificationKey: VerificationKey = { alg, kid, headerSegment: encodeHeader(alg, kid), key };
    byHeader.set(verificationKey.headerSegment, verificationKey);
    if (kid !== undefined) byKid?.set(kid, verificationKey);
  }
  if (!usesKid && byHeader.size !== 1) throw new TypeError("A keyring without kid holds exactly one key");
  return { alg, byHeader, byKid };
}

/**
 * Splits a token into its segments after the checks that need no decoding:
 * a string, at most {@link MAX_TOKEN_LENGTH} characters, three segments.
 *
 * @example
 * ```ts
 * const parts = splitToken(token); // throws ERR_JWT_TOO_LARGE / ERR_JWT_MALFORMED
 * ```
 */
export function splitToken(token: unknown): TokenParts {
  if (typeof token !== "string") {
    const got = token === null ? "null" : typeof token;
    throw new TokenError("ERR_JWT_MALFORMED", `A token must be a string, got ${got}`);
  }
  // Before anything else, so an oversized token costs nothing to reject.
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new TokenError("ERR_JWT_TOO_LARGE", `The token is ${token.length} characters, over the limit of ${MAX_TOKEN_LENGTH}`);
  }
  const first = token.indexOf(".");
  const second = first === -1 ? -1 : token.indexOf(".", first + 1);
  if (second === -1 || token.indexOf(".", second + 1) !== -1) {
    throw new TokenError("ERR_JWT_MALFORMED", "A JWT must have three segments separated by dots");
  }
  return {
    header: token.slice(0, first),
    payload: token.slice(first + 1, second),
    signature: token.slice(second + 1),
    signingInput: token.slice(0, second),
  };
}

/**
 * Verifies a token against a local keyring: the fast path when its header
 * is one the keyring holds, the precise rejection otherwise.
 *
 * @example
 * ```ts
 * const claims = verifyWithKeyring(token, keyring, { now: Date.now(), kind: "id" });
 * ```
 */
export function verifyWithKeyring(token: unknown, keyring: Keyring, options: VerifyOptions | undefined): MaybePromise<TokenClaims> {
  const parts = splitToken(token);
  const key = keyring.byHeader.get(parts.header);
  if (key === undefined) {
    const byKid = keyring.byKid;
    inspectHeader(parts.header, keyring.alg, byKid === null ? null : (kid) => byKid.has(kid));
    // Unreachable: a header of the exact shape with a known kid is in byHeader.
    throw new TokenError("ERR_JWS_INVALID_HEADER", "Unexpected JWT header");
  }
  return verifySigned(parts, key, options);
}

/**
 * Decodes a header the fast path did not recognise and throws the precise
 * reason it is rejected. Returns the `kid` only if the header is exactly the
 * one roomgate writes for `alg` and `isKnownKid(kid)` holds (`null`: the
 * verifier's tokens carry no `kid`).
 *
 * @example
 * ```ts
 * const kid = inspectHeader(parts.header, "ES256", (kid) => keysByKid.has(kid));
 * ```
 */
export function inspectHeader(segment: string, alg: SigningAlgorithm, isKnownKid: ((kid: string) => boolean) | null): string | undefined {
  if (!isCanonicalBase64url(segment)) {
    throw new TokenError("ERR_JWT_MALFORMED", "The JWT header is not unpadded base64url");
  }
  let header: unknown;
  try {
    header = JSON.parse(utf8Decode(base64urlDecode(segment)));
  } catch {
    throw new TokenError("ERR_JWT_MALFORMED", "The JWT header is not JSON");
  }
  if (!isObject(header)) {
    throw new TokenError("ERR_JWT_MALFORMED", "The JWT header must be a JSON object");
  }
  const has = (name: string): boolean => Object.hasOwn(header, name);
  const headerAlg = header["alg"];
  if (typeof headerAlg !== "string") {
    throw new TokenError("ERR_JWS_INVALID_HEADER", 'The JWT header has no "alg" string');
  }
  if (headerAlg.toLowerCase() === "none") {
    throw new TokenError("ERR_JWS_ALG_NOT_ALLOWED", 'Unsigned tokens ("alg": "none") are never accepted');
  }
  if (headerAlg !== alg) {
    throw new TokenError("ERR_JWS_ALG_NOT_ALLOWED", `"alg" ${quote(headerAlg)} is not allowed: this verifier accepts only "${alg}"`);
  }
  for (const name of KEY_SOURCE_HEADERS) {
    if (has(name)) {
      throw new TokenError("ERR_JWS_INVALID_HEADER", `The "${name}" header is not allowed: roomgate never takes a key from the token`);
    }
  }
  if (has("crit")) {
    throw new TokenError("ERR_JWS_INVALID_HEADER", 'The "crit" header is not supported: no extension is understood');
  }
  if (has("zip")) {
    throw new TokenError("ERR_JWS_INVALID_HEADER", 'The "zip" header is not allowed: tokens are never compressed');
  }
  if (header["typ"] !== "JWT") {
    throw new TokenError("ERR_JWS_INVALID_HEADER", '"typ" must be "JWT"');
  }
  let kid: string | undefined;
  if (isKnownKid === null) {
    if (has("kid")) {
      throw new TokenError(
        "ERR_JWKS_NO_MATCHING_KEY",
        `No key matches the kid ${quote(String(header["kid"]))}: this verifier's tokens carry no kid`,
      );
    }
  } else {
    const headerKid = header["kid"];
    if (typeof headerKid !== "string") {
      throw new TokenError("ERR_JWS_INVALID_HEADER", 'The JWT header has no "kid" string');
    }
    if (!isKnownKid(headerKid)) {
      throw new TokenError("ERR_JWKS_NO_MATCHING_KEY", `No key matches the kid ${quote(headerKid)}`);
    }
    kid = headerKid;
  }
  if (segment !== encodeHeader(alg, kid)) {
    const expected = kid === undefined ? "alg, typ" : "alg, typ, kid";
    throw new TokenError(
      "ERR_JWS_INVALID_HEADER",
      `Unexpected JWT header: roomgate tokens have exactly ${expected}, in that order (got ${quote(Object.keys(header).join(", "))})`,
    );
  }
  return kid;
}

/**
 * Everything after the key is chosen: the payload and signature formats,
 * the signature, then the claims, the times, and the expectations.
 *
 * @example
 * ```ts
 * const claims = verifySigned(splitToken(token), key, { projectId: "pr_1" });
 * ```
 */
export function verifySigned(parts: TokenParts, key: VerificationKey, options: VerifyOptions | undefined): MaybePromise<TokenClaims> {
  const { alg } = key;
  // Decoded once, used twice: re-encoding to the same text is the canonical
  // base64url check, and costs less than a regex over the segment.
  const payloadText = canonicalBase64urlText(parts.payload);
  if (payloadText === undefined) {
    throw new TokenError("ERR_JWT_MALFORMED", "The JWT payload is not unpadded base64url");
  }
  if (parts.signature.length !== SIGNATURE_CHARS[alg] || !isCanonicalBase64url(parts.signature)) {
    throw new TokenError(
      "ERR_JWT_MALFORMED",
      `The signature must be ${SIGNATURE_BYTES[alg]} bytes (${SIGNATURE_CHARS[alg]} unpadded base64url characters) for ${alg}`,
    );
  }
  const valid = verifyInput(alg, key.key, parts.signingInput, parts.signature);
  return typeof valid === "boolean"
    ? claimsIfValid(valid, payloadText, options)
    : valid.then((ok) => claimsIfValid(ok, payloadText, options));
}

/** After the signature check: its verdict, then the claims. */
function claimsIfValid(valid: boolean, payloadText: string, options: VerifyOptions | undefined): TokenClaims {
  if (!valid) {
    throw new TokenError("ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "The token's signature is invalid");
  }
  return claimsOf(payloadText, options);
}
