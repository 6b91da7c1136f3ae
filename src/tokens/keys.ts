/**
 * Asymmetric keys for ES256 and EdDSA: importing a JWK, a PEM, a `KeyObject`
 * or a whole JWKS document once (synchronously, through runtime/crypto),
 * screening a fetched document for jose's key set, naming a key by its
 * RFC 7638 thumbprint, and exporting its public half as a JWK. Symmetric keys and Ed25519 keys of small order are refused here, the
 * one place every key passes through.
 */
import {
  base64urlDecode,
  base64urlEncode,
  createPrivateKey,
  createPublicKey,
  KeyObject,
  sha256,
  type JsonWebKey,
} from "../runtime/crypto/node.js";

/**
 * A JSON Web Key (RFC 7517) as users hold it: the members roomgate reads,
 * and any others. Accepts what `jose` and `node:crypto` produce (`JWK`,
 * `KeyObject#export({ format: "jwk" })`) and is accepted by them.
 */
export type Jwk = {
  kty?: string;
  crv?: string;
  /** EC x-coordinate, or the OKP public key. */
  x?: string;
  y?: string;
  /** Private key material: never in a published document. */
  d?: string;
  /** Symmetric key material: refused wherever roomgate takes a JWK. */
  k?: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  ext?: boolean;
  [member: string]: unknown;
};

/**
 * The asymmetric algorithms roomgate signs with: ECDSA P-256 with SHA-256,
 * or Ed25519.
 */
export type KeyPairAlgorithm = "ES256" | "EdDSA";

/**
 * An asymmetric key as users hold it: a JWK object, a PEM string (PKCS#8,
 * SPKI or SEC1), or a `node:crypto` `KeyObject`.
 */
export type AsymmetricKeyInput = Jwk | string | KeyObject;

/**
 * A public JWK as roomgate publishes it: public members only, with `kid`,
 * `alg` and `use: "sig"`.
 */
export type PublicJwk = {
  kty: "EC" | "OKP";
  crv: "P-256" | "Ed25519";
  x: string;
  /** EC keys only. */
  y?: string;
  kid: string;
  alg: KeyPairAlgorithm;
  use: "sig";
};

/** Most characters of a `kid` roomgate accepts in its configuration. */
const MAX_KID_LENGTH = 256;

/**
 * The Ed25519 points of small order (the 8 torsion points), as 32-byte
 * encodings with the sign bit of x cleared: y = 0, 1, the two order-8 y,
 * p − 1, and the non-canonical y = p and p + 1 (libsodium's
 * `has_small_order` list; with either sign bit, 14 encodings). Under such a
 * key the signature R = identity, S = 0 verifies for many or all messages,
 * and `node:crypto` imports them without complaint.
 */
const SMALL_ORDER_ED25519 = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
].map((hex) => Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16)));

/**
 * The algorithm a key can sign for, or `undefined` if roomgate has none for it.
 *
 * @example
 * ```ts
 * algorithmOfKey(generateKeyPairSync("ed25519").publicKey); // "EdDSA"
 * ```
 */
function algorithmOfKey(key: KeyObject): KeyPairAlgorithm | undefined {
  if (key.asymmetricKeyType === "ed25519") return "EdDSA";
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ES256";
  return undefined;
}

/**
 * Imports a private key. `what` names it in error messages.
 *
 * @example
 * ```ts
 * const key = importPrivateKey(process.env.SIGNING_KEY_PEM!, "privateKey");
 * ```
 */
export function importPrivateKey(input: AsymmetricKeyInput, what: string): KeyObject {
  let key: KeyObject;
  try {
    if (input instanceof KeyObject) key = input;
    else if (typeof input === "string") key = createPrivateKey(input);
    else {
      refuseSymmetricJwk(input);
      if (typeof input.d !== "string") throw new TypeError('the JWK has no private member "d"');
      key = createPrivateKey({ key: input as JsonWebKey, format: "jwk" });
    }
  } catch (err) {
    throw new TypeError(`${what} is not a usable private key: ${describe(err)}`, { cause: err });
  }
  if (key.type !== "private") throw new TypeError(`${what} must be a private key, got a ${key.type} key`);
  // Unreachable for a clamped Ed25519 seed, checked anyway: the public half is what verifies.
  if (isSmallOrderEd25519(createPublicKey(key))) {
    throw new TypeError(`${what} is not a usable private key: its public half is an Ed25519 key of small order`);
  }
  return key;
}

/**
 * Imports a public key; a private key given here stands for its public
 * half. `what` names it in error messages.
 *
 * @example
 * ```ts
 * const key = importPublicKey(jwks.keys[0], "jwks.keys[0]");
 * ```
 */
export function importPublicKey(input: AsymmetricKeyInput, what: string): KeyObject {
  let key: KeyObject;
  try {
    if (input instanceof KeyObject) {
      if (input.type === "secret") throw new TypeError("symmetric keys are never used as verification keys");
      key = input.type === "private" ? createPublicKey(input) : input;
    } else if (typeof input === "string") key = createPublicKey(input);
    else {
      refuseSymmetricJwk(input);
      key = createPublicKey({ key: input as JsonWebKey, format: "jwk" });
    }
  } catch (err) {
    throw new TypeError(`${what} is not a usable public key: ${describe(err)}`, { cause: err });
  }
  if (isSmallOrderEd25519(key)) {
    throw new TypeError(`${what} is not a usable public key: it is an Ed25519 key of small order`);
  }
  return key;
}

/**
 * The usable signature keys of a JWKS document for `alg`, each with its
 * `kid`: keys of other types, `use: "enc"` keys and keys declaring another
 * `alg` are skipped; a key of the right type that does not import, or two
 * keys with one `kid`, make the whole document unusable (a `TypeError` naming
 * `jwks.keys[i]`). A key without `kid` is named by its thumbprint.
 *
 * @example
 * ```ts
 * const keys = importJwks(await response.json(), "ES256"); // [{ kid, key }, …]
 * ```
 */
export function importJwks(jwks: unknown, alg: KeyPairAlgorithm): Array<{ kid: string; key: KeyObject }> {
  const keys: Array<{ kid: string; key: KeyObject }> = [];
  for (const [index, jwk] of signatureJwks(jwks, alg)) {
    const what = `jwks.keys[${index}]`;
    const key = importPublicKey(jwk, what);
    checkKeyAlgorithm(key, alg, jwk, what);
    keys.push({ kid: resolveKid(undefined, jwk, key, what), key });
  }
  if (keys.length === 0) throw new TypeError(`The JWKS document has no ${alg} signature key`);
  return keys;
}

/**
 * The signature keys of a fetched JWKS document for `alg`, as a key set that
 * imports each key only when a token names it should hold them: public
 * members only, a key without `kid` named by its thumbprint, the same keys
 * skipped as by {@link importJwks}, and a `kid` that roomgate would refuse
 * skipped too. Nothing is imported here, so a key that would not import
 * fails only the tokens that name it; but an Ed25519 key of small order
 * makes the whole document unusable (forgeries verify under it: whoever
 * published it is not to be trusted with the others), and so does a
 * document with no key at all for `alg`.
 *
 * @example
 * ```ts
 * const keys = screenJwks(JSON.parse(body), "ES256"); // [{ kty, crv, x, y, kid }, …]
 * ```
 */
export function screenJwks(jwks: unknown, alg: KeyPairAlgorithm): Jwk[] {
  const keys: Jwk[] = [];
  for (const [index, jwk] of signatureJwks(jwks, alg)) {
    if (typeof jwk.x === "string" && jwk.kty === "OKP" && isSmallOrderEd25519X(jwk.x)) {
      throw new TypeError(`jwks.keys[${index}] is not a usable public key: it is an Ed25519 key of small order`);
    }
    const kid = jwk.kid ?? thumbprintOfMembers(jwk);
    if (typeof kid !== "string" || kid.length === 0 || kid.length > MAX_KID_LENGTH) continue;
    // Built member by member: "d" (a private key published by mistake) never reaches the key set.
    const key: Jwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid };
    if (jwk.y !== undefined) key.y = jwk.y;
    keys.push(key);
  }
  if (keys.length === 0) throw new TypeError(`The JWKS document has no ${alg} signature key`);
  return keys;
}

/**
 * The entries of a JWKS document that may verify `alg` tokens, with their
 * index: keys for something else are skipped, not errors, since one document
 * may serve several uses.
 */
function* signatureJwks(jwks: unknown, alg: KeyPairAlgorithm): Generator<[number, Jwk]> {
  if (typeof jwks !== "object" || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
    throw new TypeError('A JWKS document is an object with a "keys" array');
  }
  const wanted = alg === "ES256" ? { kty: "EC", crv: "P-256" } : { kty: "OKP", crv: "Ed25519" };
  for (const [index, jwk] of (jwks as { keys: unknown[] }).keys.entries()) {
    if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) continue;
    const member = jwk as Jwk;
    if (member.kty !== wanted.kty || member.crv !== wanted.crv) continue;
    if (member.use !== undefined && member.use !== "sig") continue;
    if (member.alg !== undefined && member.alg !== alg) continue;
    yield [index, member];
  }
}

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key: what
 * jose's `calculateJwkThumbprint` returns, computed synchronously so that
 * constructors can name a key without a `kid`.
 *
 * @example
 * ```ts
 * const kid = jwkThumbprint(publicKey); // 43 base64url characters
 * ```
 */
function jwkThumbprint(publicKey: KeyObject): string {
  return thumbprintOfMembers(publicKey.export({ format: "jwk" }));
}

/** The RFC 7638 thumbprint over a JWK's members as they are written. */
function thumbprintOfMembers(jwk: Jwk): string {
  // The required members only, in lexicographic order, no whitespace (RFC 7638 §3).
  const canonical =
    jwk.kty === "EC"
      ? JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
      : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return base64urlEncode(sha256(canonical));
}

/**
 * The public JWK of `publicKey`, with only public members.
 *
 * @example
 * ```ts
 * const jwk = toPublicJwk(publicKey, "2025-06", "ES256"); // { kty, crv, x, y, kid, alg, use }
 * ```
 */
export function toPublicJwk(publicKey: KeyObject, kid: string, alg: KeyPairAlgorithm): PublicJwk {
  const { kty, crv, x, y } = publicKey.export({ format: "jwk" });
  if ((kty !== "EC" && kty !== "OKP") || (crv !== "P-256" && crv !== "Ed25519") || typeof x !== "string") {
    throw new TypeError(`Unexpected key type ${String(kty)}`);
  }
  // Built member by member: never spread an export, which may carry "d".
  return y === undefined ? { kty, crv, x, kid, alg, use: "sig" } : { kty, crv, x, y, kid, alg, use: "sig" };
}

/**
 * Checks that `key` signs with `alg` and that a JWK's own `alg` / `use`
 * members agree, and returns the algorithm.
 *
 * @example
 * ```ts
 * const alg = checkKeyAlgorithm(key, options.alg, input, "privateKey");
 * ```
 */
export function checkKeyAlgorithm(
  key: KeyObject,
  alg: KeyPairAlgorithm | undefined,
  input: AsymmetricKeyInput,
  what: string,
): KeyPairAlgorithm {
  const keyAlg = algorithmOfKey(key);
  if (keyAlg === undefined) {
    throw new TypeError(`${what} must be a P-256 (ES256) or Ed25519 (EdDSA) key`);
  }
  if (alg !== undefined && alg !== keyAlg) {
    throw new TypeError(`${what} is a ${keyAlg} key, not ${alg}`);
  }
  if (isJwk(input)) {
    if (input.alg !== undefined && input.alg !== keyAlg && !(keyAlg === "EdDSA" && input.alg === "Ed25519")) {
      throw new TypeError(`${what} declares "alg" ${JSON.stringify(input.alg)} but is a ${keyAlg} key`);
    }
    if (input.use !== undefined && input.use !== "sig") {
      throw new TypeError(`${what} declares "use" ${JSON.stringify(input.use)}, not "sig"`);
    }
  }
  return keyAlg;
}

/**
 * The `kid` of a key: the one given, else the JWK's own, else its thumbprint.
 *
 * @example
 * ```ts
 * const kid = resolveKid(options.kid, input, publicKey, "privateKey");
 * ```
 */
export function resolveKid(kid: string | undefined, input: AsymmetricKeyInput, publicKey: KeyObject, what: string): string {
  const chosen = kid ?? (isJwk(input) ? input.kid : undefined) ?? jwkThumbprint(publicKey);
  if (typeof chosen !== "string" || chosen.length === 0 || chosen.length > MAX_KID_LENGTH) {
    throw new TypeError(`The kid of ${what} must be a string of 1 to ${MAX_KID_LENGTH} characters`);
  }
  return chosen;
}

/**
 * True for a JWK object (as opposed to a PEM string or a `KeyObject`).
 *
 * @example
 * ```ts
 * const kid = isJwk(input) ? input.kid : undefined;
 * ```
 */
function isJwk(input: AsymmetricKeyInput): input is Jwk {
  return typeof input === "object" && !(input instanceof KeyObject);
}

function refuseSymmetricJwk(jwk: Jwk): void {
  if (jwk.kty === "oct") throw new TypeError("symmetric (oct) keys are never used here");
}

/** True for an Ed25519 public key whose encoding is one of {@link SMALL_ORDER_ED25519}. */
function isSmallOrderEd25519(publicKey: KeyObject): boolean {
  return publicKey.asymmetricKeyType === "ed25519" && isSmallOrderEd25519X(String(publicKey.export({ format: "jwk" }).x));
}

/** True if `x`, the base64url public key of an Ed25519 JWK, is one of {@link SMALL_ORDER_ED25519}. */
function isSmallOrderEd25519X(x: string): boolean {
  const encoded = base64urlDecode(x);
  if (encoded.length !== 32) return false;
  // The sign bit of x says nothing about the order: compare without it.
  encoded[31] = encoded[31]! & 0x7f;
  return SMALL_ORDER_ED25519.some((point) => point.every((byte, i) => byte === encoded[i]));
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
