/**
 * Asymmetric keys for ES256 and EdDSA: importing a JWK, a PEM or a
 * `KeyObject` once (synchronously, through `node:crypto`), naming it by its
 * RFC 7638 thumbprint, and exporting its public half as a JWK. Symmetric
 * keys are refused here, so nothing secret can reach a JWKS document.
 */
import { createHash, createPrivateKey, createPublicKey, KeyObject, type JsonWebKey } from "node:crypto";
import type { JWK } from "jose";

/**
 * The asymmetric algorithms roomgate signs with: ECDSA P-256 with SHA-256,
 * or Ed25519.
 *
 * @example
 * ```ts
 * const alg: KeyPairAlgorithm = "EdDSA";
 * ```
 */
export type KeyPairAlgorithm = "ES256" | "EdDSA";

/**
 * An asymmetric key as users hold it: a JWK object, a PEM string (PKCS#8,
 * SPKI or SEC1), or a `node:crypto` `KeyObject`.
 *
 * @example
 * ```ts
 * const key: AsymmetricKeyInput = process.env.ROOMGATE_PRIVATE_KEY_PEM!;
 * ```
 */
export type AsymmetricKeyInput = JWK | string | KeyObject;

/**
 * A public JWK as roomgate publishes it: public members only, with `kid`,
 * `alg` and `use: "sig"`.
 *
 * @example
 * ```ts
 * const { keys }: { keys: PublicJwk[] } = signer.jwks();
 * ```
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
 * The algorithm a key can sign for, or `undefined` if roomgate has none for it.
 *
 * @example
 * ```ts
 * algorithmOfKey(generateKeyPairSync("ed25519").publicKey); // "EdDSA"
 * ```
 */
export function algorithmOfKey(key: KeyObject): KeyPairAlgorithm | undefined {
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
      if (typeof input.d !== "string") throw new TypeError("the JWK has no private member \"d\"");
      key = createPrivateKey({ key: input as JsonWebKey, format: "jwk" });
    }
  } catch (err) {
    throw new TypeError(`${what} is not a usable private key: ${describe(err)}`, { cause: err });
  }
  if (key.type !== "private") throw new TypeError(`${what} must be a private key, got a ${key.type} key`);
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
  try {
    if (input instanceof KeyObject) {
      if (input.type === "secret") throw new TypeError("symmetric keys are never used as verification keys");
      return input.type === "private" ? createPublicKey(input) : input;
    }
    if (typeof input === "string") return createPublicKey(input);
    refuseSymmetricJwk(input);
    return createPublicKey({ key: input as JsonWebKey, format: "jwk" });
  } catch (err) {
    throw new TypeError(`${what} is not a usable public key: ${describe(err)}`, { cause: err });
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
export function jwkThumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: "jwk" });
  // The required members only, in lexicographic order, no whitespace (RFC 7638 §3).
  const canonical =
    jwk.kty === "EC"
      ? JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
      : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash("sha256").update(canonical).digest("base64url");
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
export function resolveKid(
  kid: string | undefined,
  input: AsymmetricKeyInput,
  publicKey: KeyObject,
  what: string,
): string {
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
export function isJwk(input: AsymmetricKeyInput): input is JWK {
  return typeof input === "object" && !(input instanceof KeyObject);
}

function refuseSymmetricJwk(jwk: JWK): void {
  if (jwk.kty === "oct") throw new TypeError("symmetric (oct) keys are never used here");
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
