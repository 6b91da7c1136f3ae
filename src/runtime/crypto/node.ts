/**
 * The crypto primitives tokens need, Node implementation (`node:crypto`,
 * synchronous where it can be, for speed). `./web.ts` implements the same
 * exports over `crypto.subtle` / `crypto.getRandomValues`; the Web build
 * (`dist/web.js`) swaps this module for that one at build time, so no module
 * of the Web build imports `node:crypto` or uses `Buffer`.
 *
 * Signing and verification return a value or a promise of one (`MaybePromise`):
 * Node answers synchronously, WebCrypto asynchronously; callers are async.
 */
import {
  createHash,
  createHmac,
  createPrivateKey as nodeCreatePrivateKey,
  createPublicKey as nodeCreatePublicKey,
  createSecretKey as nodeCreateSecretKey,
  generateKeyPair as nodeGenerateKeyPair,
  hkdfSync,
  KeyObject,
  randomFillSync,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  type JsonWebKey,
} from "node:crypto";

/** A value now, or later. */
export type MaybePromise<T> = T | Promise<T>;

/** Which implementation this is (tests and benchmarks check they got the one they meant). */
export const CRYPTO_IMPLEMENTATION: "node" | "web" = "node";

export { KeyObject };
export type { JsonWebKey };

/** The JWS algorithms signed here. */
export type Algorithm = "HS256" | "ES256" | "EdDSA";

/** A secret (HMAC) key over `bytes`. */
export function createSecretKey(bytes: Uint8Array): KeyObject {
  return nodeCreateSecretKey(bytes);
}

/** A private key from a PEM, a JWK (`{ key, format: "jwk" }`), or itself. */
export function createPrivateKey(input: string | { key: JsonWebKey; format: "jwk" }): KeyObject {
  return nodeCreatePrivateKey(input);
}

/** A public key from a PEM, a JWK, or the public half of a private key. */
export function createPublicKey(input: string | KeyObject | { key: JsonWebKey; format: "jwk" }): KeyObject {
  return nodeCreatePublicKey(input);
}

/** WebCrypto's key type, from the global `crypto` (as `./web.ts` names it). */
type CryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** The public key a WebCrypto key holds (jose hands out the keys of a key set as `CryptoKey`s). */
export function publicKeyOfCryptoKey(cryptoKey: CryptoKey): MaybePromise<KeyObject> {
  const key = KeyObject.from(cryptoKey);
  if (key.type !== "public") throw new TypeError(`Expected a public key, got a ${key.type} key`);
  return key;
}

/** A new P-256 (`ES256`) or Ed25519 (`EdDSA`) private key, generated off the main thread. */
export function generatePrivateKey(alg: "ES256" | "EdDSA"): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _publicKey: KeyObject, privateKey: KeyObject) => (err === null ? resolve(privateKey) : reject(err));
    if (alg === "EdDSA") nodeGenerateKeyPair("ed25519", {}, done);
    else nodeGenerateKeyPair("ec", { namedCurve: "P-256" }, done);
  });
}

/** HKDF-SHA256 with an empty salt, synchronously. */
export function hkdfSha256(ikm: string | Uint8Array, info: string, length: number): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", ikm, "", info, length));
}

/** SHA-256 of the UTF-8 of `text`. */
export function sha256(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}

/** Fills `bytes` with cryptographically strong random bytes. */
export function randomFill(bytes: Uint8Array): void {
  randomFillSync(bytes);
}

/** `length` bytes to be overwritten (a `Buffer` here: {@link base64urlEncode} then reads it without a copy). */
export function allocBytes(length: number): Uint8Array {
  return Buffer.allocUnsafe(length);
}

/** Unpadded base64url of `bytes[start, end)`. */
export function base64urlEncode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  // A Buffer (the id pool) is encoded in place: wrapping it costs ~0.1 µs per id.
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer.toString("base64url", start, end);
}

/** Unpadded base64url of the UTF-8 of `text`. */
export function base64urlOfText(text: string): string {
  return Buffer.from(text).toString("base64url");
}

/** The bytes of base64url `text`, leniently (callers check the canonical spelling). */
export function base64urlDecode(text: string): Uint8Array {
  return Buffer.from(text, "base64url");
}

/**
 * Scratch bytes for the verification hot path: what is decoded into them is
 * read before the call returns (`crypto.verify` without a callback is
 * synchronous), so one buffer serves every call and no call allocates one.
 * Large enough for any token a verifier accepts (8 KiB); longer text takes
 * a fresh buffer.
 */
const scratch = Buffer.allocUnsafeSlow(8192);
const signatureScratch = Buffer.allocUnsafeSlow(64);

/**
 * The UTF-8 text of `segment` if it is unpadded base64url in its one
 * canonical spelling (re-encoding the bytes gives it back: Node's decoder
 * skips "=" and accepts "+" and "/"), else `undefined`.
 */
export function canonicalBase64urlText(segment: string): string | undefined {
  const chars = segment.length;
  if (chars === 0) return undefined;
  const bytes = chars <= scratch.length ? scratch : Buffer.allocUnsafe(chars);
  const length = bytes.write(segment, 0, "base64url");
  // Node's decoder skips or stops at characters outside both base64 alphabets (fewer bytes than the
  // text's length promises) and reads "+" "/" as "-" "_": only the one canonical spelling passes.
  if (Math.ceil((length * 4) / 3) !== chars || segment.includes("+") || segment.includes("/")) return undefined;
  const tail = chars & 3;
  if (tail !== 0) {
    // The unused low bits of the last character must be zero, or several texts decode to these bytes.
    const last = segment.charCodeAt(chars - 1);
    const value = last <= 0x39 ? last + 4 : last <= 0x5a ? last - 0x41 : last - 0x47; // 0-9, A-Z, a-z; "-" and "_" are 62, 63
    const unused = last === 0x2d ? 62 : last === 0x5f ? 63 : value;
    if ((unused & (tail === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return bytes.toString("utf8", 0, length);
}

/** UTF-8 text of `bytes` (invalid sequences become U+FFFD). */
export function utf8Decode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

/** UTF-8 byte length of `text`. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text);
}

/** The base64url signature of `signingInput` (ASCII) under `key`. */
export function signInput(alg: Algorithm, key: KeyObject, signingInput: string): MaybePromise<string> {
  switch (alg) {
    case "HS256":
      return createHmac("sha256", key).update(signingInput).digest("base64url");
    case "ES256":
      return cryptoSign("sha256", Buffer.from(signingInput, "latin1"), { key, dsaEncoding: "ieee-p1363" }).toString("base64url");
    case "EdDSA":
      return cryptoSign(null, Buffer.from(signingInput, "latin1"), key).toString("base64url");
  }
}

/** The bytes of ASCII `text`, in the scratch buffer (valid until the next call). */
function latin1Bytes(text: string): Buffer {
  if (text.length > scratch.length) return Buffer.from(text, "latin1");
  return scratch.subarray(0, scratch.write(text, 0, "latin1"));
}

/** The bytes of a 64-byte signature's base64url, in its scratch buffer (valid until the next call). */
function signatureBytes(signature: string): Buffer {
  // Never bytes of an earlier call: the scratch is used only when all 64 bytes were written now.
  if (signature.length !== 86 || signatureScratch.write(signature, 0, "base64url") !== 64) return Buffer.from(signature, "base64url");
  return signatureScratch;
}

/**
 * Whether `signature` (canonical base64url of the right length, checked by
 * the caller) signs `signingInput` under `key`.
 */
export function verifyInput(alg: Algorithm, key: KeyObject, signingInput: string, signature: string): MaybePromise<boolean> {
  switch (alg) {
    case "HS256": {
      // Compared as canonical base64url text of equal length: digest("base64url")
      // is ~1 µs cheaper than digest() plus decoding the signature (measured).
      const expected = createHmac("sha256", key).update(signingInput).digest("base64url");
      return timingSafeEqual(Buffer.from(expected, "latin1"), Buffer.from(signature, "latin1"));
    }
    case "ES256":
      return cryptoVerify("sha256", latin1Bytes(signingInput), { key, dsaEncoding: "ieee-p1363" }, signatureBytes(signature));
    case "EdDSA":
      return cryptoVerify(null, latin1Bytes(signingInput), key, signatureBytes(signature));
  }
}
