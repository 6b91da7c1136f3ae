/**
 * The crypto primitives tokens need, Web implementation: `crypto.subtle` for
 * every signature and verification, key import and key generation,
 * `crypto.getRandomValues` for ids and secrets, no `node:` import and no
 * `Buffer`. Same exports as `./node.ts`, swapped in by the Web build
 * (`dist/web.js`) and by `vitest.edge.config.ts`.
 *
 * Keys are `KeyObject`s of this module: their JWK is known synchronously (so
 * kids, thumbprints and JWKS documents are computed as on Node), the
 * `CryptoKey` is imported on first use and kept. PEM keys are Node-only.
 *
 * SHA-256 and HKDF come from `@noble/hashes`, synchronous where
 * `crypto.subtle` is not: the project id, the HS256 key a constructor
 * derives, and JWK thumbprints are computed without awaiting.
 */
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 as sha256Bytes } from "@noble/hashes/sha2.js";

/** A value now, or later. */
export type MaybePromise<T> = T | Promise<T>;

/** Which implementation this is (tests and benchmarks check they got the one they meant). */
export const CRYPTO_IMPLEMENTATION: "node" | "web" = "web";

/** The JWS algorithms signed here. */
export type Algorithm = "HS256" | "ES256" | "EdDSA";

/** The JWK members roomgate reads. */
export type JsonWebKey = { kty?: string; crv?: string; x?: string; y?: string; d?: string; k?: string; [member: string]: unknown };

/** WebCrypto's types, from the global `crypto` (the project's lib has no DOM). */
type CryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;
type KeyUsage = Parameters<typeof crypto.subtle.importKey>[4][number];
type SubtleAlgorithm = Parameters<typeof crypto.subtle.sign>[0];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A key: secret bytes, or an EC P-256 / Ed25519 JWK; the `CryptoKey` is imported once, on first use. */
export class KeyObject {
  readonly type: "secret" | "public" | "private";
  readonly asymmetricKeyType: "ec" | "ed25519" | undefined;
  readonly asymmetricKeyDetails: { namedCurve?: string } | undefined;
  readonly #jwk: JsonWebKey;
  #cryptoKey: Promise<CryptoKey> | undefined;

  /** Use `createSecretKey`, `createPublicKey` or `createPrivateKey`. */
  constructor(type: "secret" | "public" | "private", jwk: JsonWebKey) {
    this.type = type;
    this.#jwk = jwk;
    this.asymmetricKeyType = jwk.kty === "EC" ? "ec" : jwk.kty === "OKP" ? "ed25519" : undefined;
    this.asymmetricKeyDetails = jwk.kty === "EC" ? { namedCurve: "prime256v1" } : jwk.kty === "OKP" ? {} : undefined;
  }

  /** The key as a JWK (a copy). */
  export(_options: { format: "jwk" }): JsonWebKey {
    return { ...this.#jwk };
  }

  /** The `CryptoKey`, imported once. */
  cryptoKey(): Promise<CryptoKey> {
    this.#cryptoKey ??= importCryptoKey(this.type, this.#jwk);
    // A key that fails to import fails every use, and says why each time.
    return this.#cryptoKey;
  }
}

function importCryptoKey(type: KeyObject["type"], jwk: JsonWebKey): Promise<CryptoKey> {
  const usages: KeyUsage[] = type === "private" ? ["sign"] : type === "public" ? ["verify"] : ["sign", "verify"];
  if (type === "secret") {
    return crypto.subtle.importKey("raw", base64urlDecode(String(jwk.k)), { name: "HMAC", hash: "SHA-256" }, false, usages);
  }
  const members: Record<string, string> = { kty: String(jwk.kty), crv: String(jwk.crv), x: String(jwk.x) };
  if (jwk.kty === "EC") members["y"] = String(jwk.y);
  if (type === "private") members["d"] = String(jwk.d);
  const algorithm = jwk.kty === "EC" ? { name: "ECDSA", namedCurve: "P-256" } : { name: "Ed25519" };
  return crypto.subtle.importKey("jwk", members, algorithm, false, usages);
}

/** A secret (HMAC) key over `bytes`. */
export function createSecretKey(bytes: Uint8Array): KeyObject {
  return new KeyObject("secret", { kty: "oct", k: base64urlEncode(bytes) });
}

const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

/** The public members of a P-256 or Ed25519 JWK, checked for shape (a point off the curve fails at first use). */
function checkedJwk(jwk: JsonWebKey, withPrivate: boolean): JsonWebKey {
  if (typeof jwk !== "object" || jwk === null) throw new TypeError("Invalid JWK: not an object");
  const isEc = jwk.kty === "EC" && jwk.crv === "P-256";
  const isEd = jwk.kty === "OKP" && jwk.crv === "Ed25519";
  if (!isEc && !isEd) throw new TypeError(`Unsupported JWK: kty ${String(jwk.kty)}, crv ${String(jwk.crv)} (P-256 or Ed25519 only)`);
  if (typeof jwk.x !== "string" || !COORDINATE.test(jwk.x)) throw new TypeError('Invalid JWK: "x" must be 32 bytes of base64url');
  if (isEc && (typeof jwk.y !== "string" || !COORDINATE.test(jwk.y))) throw new TypeError('Invalid JWK: "y" must be 32 bytes of base64url');
  if (withPrivate && (typeof jwk.d !== "string" || !COORDINATE.test(jwk.d))) {
    throw new TypeError('Invalid JWK: "d" must be 32 bytes of base64url');
  }
  const members: JsonWebKey = isEc ? { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y } : { kty: "OKP", crv: "Ed25519", x: jwk.x };
  if (withPrivate) members.d = jwk.d;
  return members;
}

function refusePem(): never {
  throw new TypeError("PEM keys need the Node build of roomgate; on the Web build pass the key as a JWK");
}

/** A private key from a JWK (`{ key, format: "jwk" }`); PEM is Node-only. */
export function createPrivateKey(input: string | { key: JsonWebKey; format: "jwk" }): KeyObject {
  if (typeof input === "string") refusePem();
  return new KeyObject("private", checkedJwk(input.key, true));
}

/** A public key from a JWK, or the public half of a private key; PEM is Node-only. */
export function createPublicKey(input: string | KeyObject | { key: JsonWebKey; format: "jwk" }): KeyObject {
  if (typeof input === "string") refusePem();
  if (input instanceof KeyObject) {
    if (input.type === "secret") throw new TypeError("A secret key has no public half");
    const { d: _private, ...publicMembers } = input.export({ format: "jwk" });
    return new KeyObject("public", publicMembers);
  }
  return new KeyObject("public", checkedJwk(input.key, false));
}

/** The public key a WebCrypto key holds (jose hands out the keys of a key set as `CryptoKey`s, extractable). */
export async function publicKeyOfCryptoKey(cryptoKey: CryptoKey): Promise<KeyObject> {
  if (cryptoKey.type !== "public") throw new TypeError(`Expected a public key, got a ${cryptoKey.type} key`);
  return createPublicKey({ key: (await crypto.subtle.exportKey("jwk", cryptoKey)) as JsonWebKey, format: "jwk" });
}

/** A new P-256 (`ES256`) or Ed25519 (`EdDSA`) private key from `crypto.subtle.generateKey`. */
export async function generatePrivateKey(alg: "ES256" | "EdDSA"): Promise<KeyObject> {
  const algorithm = alg === "EdDSA" ? { name: "Ed25519" } : { name: "ECDSA", namedCurve: "P-256" };
  const pair = (await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as { privateKey: CryptoKey };
  return createPrivateKey({ key: (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey, format: "jwk" });
}

function toBytes(input: string | Uint8Array): Uint8Array {
  return typeof input === "string" ? encoder.encode(input) : input;
}

/** HKDF-SHA256 with an empty salt, synchronously (`crypto.subtle` has no synchronous HKDF). */
export function hkdfSha256(ikm: string | Uint8Array, info: string, length: number): Uint8Array {
  // No salt is HashLen zero bytes (RFC 5869), as node:crypto's empty salt.
  return hkdf(sha256Bytes, toBytes(ikm), undefined, encoder.encode(info), length);
}

/** SHA-256 of the UTF-8 of `text`. */
export function sha256(text: string): Uint8Array {
  return sha256Bytes(encoder.encode(text));
}

/** Fills `bytes` with cryptographically strong random bytes. */
export function randomFill(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) VALUE[ALPHABET.charCodeAt(i)] = i;
// Node's base64url decoder also reads the standard alphabet.
VALUE["+".charCodeAt(0)] = 62;
VALUE["/".charCodeAt(0)] = 63;

/** `length` bytes to be overwritten. */
export function allocBytes(length: number): Uint8Array {
  return new Uint8Array(length);
}

/** Unpadded base64url of `bytes[start, end)`. */
export function base64urlEncode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = "";
  let i = start;
  for (; i + 2 < end; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  if (end - i === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (end - i === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/** Unpadded base64url of the UTF-8 of `text`. */
export function base64urlOfText(text: string): string {
  return base64urlEncode(encoder.encode(text));
}

/**
 * The bytes of base64url `text`, as leniently as Node's decoder: characters
 * outside the alphabet are skipped, decoding stops at "=". Callers check
 * the canonical spelling by encoding the result again.
 */
export function base64urlDecode(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let bits = 0;
  let count = 0;
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 61) break; // "="
    const value = code < 128 ? VALUE[code]! : -1;
    if (value === -1) continue;
    bits = (bits << 6) | value;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[length++] = (bits >> count) & 0xff;
    }
  }
  return out.subarray(0, length);
}

/**
 * The UTF-8 text of `segment` if it is unpadded base64url in its one
 * canonical spelling (re-encoding the bytes gives it back), else `undefined`.
 */
export function canonicalBase64urlText(segment: string): string | undefined {
  if (segment.length === 0) return undefined;
  const bytes = base64urlDecode(segment);
  return base64urlEncode(bytes) === segment ? utf8Decode(bytes) : undefined;
}

/** UTF-8 text of `bytes` (invalid sequences become U+FFFD). */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** UTF-8 byte length of `text`. */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** The signing input's bytes: a JWS signing input is ASCII. */
function latin1(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" };

function subtleAlgorithm(alg: Algorithm): SubtleAlgorithm {
  return alg === "HS256" ? "HMAC" : alg === "ES256" ? ECDSA_SHA256 : "Ed25519";
}

/** The base64url signature of `signingInput` (ASCII) under `key`, from `crypto.subtle.sign`. */
export async function signInput(alg: Algorithm, key: KeyObject, signingInput: string): Promise<string> {
  const signature = await crypto.subtle.sign(subtleAlgorithm(alg), await key.cryptoKey(), latin1(signingInput));
  return base64urlEncode(new Uint8Array(signature));
}

/**
 * Whether `signature` (canonical base64url of the right length, checked by
 * the caller) signs `signingInput` under `key`, from `crypto.subtle.verify`.
 */
export async function verifyInput(alg: Algorithm, key: KeyObject, signingInput: string, signature: string): Promise<boolean> {
  return crypto.subtle.verify(subtleAlgorithm(alg), await key.cryptoKey(), base64urlDecode(signature), latin1(signingInput));
}
