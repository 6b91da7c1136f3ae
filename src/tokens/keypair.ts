/**
 * The key-pair signer: ES256 or EdDSA, a `kid` in every header, several
 * verification keys for rotation, and a JWKS document to publish.
 */
import { createPublicKey, generatePrivateKey, type KeyObject } from "../runtime/crypto/node.js";
import { createKeyring, encodeHeader, signPayload, signToken, verifyWithKeyring, type Keyring } from "./jws.js";
import { registerLocalVerification, registerPayloadSigning } from "./signers.js";
import {
  checkKeyAlgorithm,
  importPrivateKey,
  importPublicKey,
  resolveKid,
  toPublicJwk,
  type AsymmetricKeyInput,
  type Jwk,
  type KeyPairAlgorithm,
  type PublicJwk,
} from "./keys.js";
import type { TokenClaims, TokenSigner, VerifyOptions } from "./types.js";

/** Options of {@link KeyPairSigner}. */
export type KeyPairSignerOptions = {
  /** The signing key: a private JWK, a PKCS#8 / SEC1 PEM, or a private `KeyObject`. */
  privateKey: AsymmetricKeyInput;
  /** Defaults to the key's own algorithm (P-256 → ES256, Ed25519 → EdDSA); if given, must match it. */
  alg?: KeyPairAlgorithm;
  /** Defaults to the JWK's `kid`, else its RFC 7638 thumbprint. */
  kid?: string;
  /**
   * Keys that still verify but no longer sign, for rotation: public (or
   * private) JWKs, PEMs or `KeyObject`s of the same algorithm. A JWK's own
   * `kid` is kept, others are named by thumbprint, so passing an earlier
   * `signer.jwks().keys` keeps earlier tokens valid.
   */
  previousKeys?: ReadonlyArray<AsymmetricKeyInput>;
};

/** Options of {@link KeyPairSigner.generate}. */
export type GenerateKeyPairSignerOptions = {
  /** Defaults to `"ES256"`. */
  alg?: KeyPairAlgorithm;
  /** Defaults to the new key's RFC 7638 thumbprint. */
  kid?: string;
};

/**
 * Signs with one private key and verifies with it and with every previous
 * key. Headers are exactly `{"alg":"ES256","typ":"JWT","kid":"<kid>"}` (or
 * `EdDSA`); a token naming any other key, algorithm or header is rejected
 * before its signature is looked at.
 *
 * Rotation: create a new signer with the new key and the old signer's
 * `jwks().keys` as `previousKeys`; publish its `jwks()`; drop the old keys
 * once the tokens they signed have expired.
 *
 * @example
 * ```ts
 * const signer = new KeyPairSigner({ privateKey: JSON.parse(process.env.ROOMGATE_SIGNING_JWK!) });
 * const token = await signer.sign(claims);
 * app.get("/.well-known/jwks.json", (_req, res) => res.json(signer.jwks()));
 * ```
 */
export class KeyPairSigner implements TokenSigner {
  readonly alg: KeyPairAlgorithm;
  readonly kid: string;
  readonly #privateKey: KeyObject;
  readonly #header: string;
  readonly #keyring: Keyring;
  readonly #jwks: readonly PublicJwk[];

  /**
   * @param options - the signing key, its algorithm and `kid`, and the
   * previous keys that still verify
   */
  constructor(options: KeyPairSignerOptions) {
    const input = options?.privateKey;
    if (input === undefined || input === null) throw new TypeError("KeyPairSigner needs a privateKey");
    this.#privateKey = importPrivateKey(input, "privateKey");
    this.alg = checkKeyAlgorithm(this.#privateKey, options.alg, input, "privateKey");
    const publicKey = createPublicKey(this.#privateKey);
    this.kid = resolveKid(options.kid, input, publicKey, "privateKey");
    this.#header = encodeHeader(this.alg, this.kid);

    const verificationKeys = [{ kid: this.kid, key: publicKey }];
    for (const [index, previous] of (options.previousKeys ?? []).entries()) {
      const what = `previousKeys[${index}]`;
      const key = importPublicKey(previous, what);
      checkKeyAlgorithm(key, this.alg, previous, what);
      verificationKeys.push({ kid: resolveKid(undefined, previous, key, what), key });
    }
    // Rejects two keys with one kid: a kid must name one key.
    this.#keyring = createKeyring(this.alg, true, verificationKeys);
    const { alg } = this;
    const key = this.#privateKey;
    const header = this.#header;
    // The facade hands over claims it serialised in one pass, and skips an await.
    registerPayloadSigning(this, KeyPairSigner.prototype.sign, (payloadJson) => signPayload(alg, header, key, payloadJson));
    const keyring = this.#keyring;
    registerLocalVerification(this, KeyPairSigner.prototype.verify, (token, options) => verifyWithKeyring(token, keyring, options));
    this.#jwks = Object.freeze(verificationKeys.map(({ kid, key }) => Object.freeze(toPublicJwk(key, kid, this.alg))));
  }

  /**
   * A signer over a freshly generated key (`node:crypto` `generateKeyPair`,
   * off the main thread; exportable with {@link KeyPairSigner.exportPrivateJwk}).
   *
   * @param options - `alg` (default `"ES256"`) and `kid` (default: thumbprint)
   * @example
   * ```ts
   * const signer = await KeyPairSigner.generate({ alg: "EdDSA" });
   * await writeFile("signing-key.json", JSON.stringify(signer.exportPrivateJwk()), { mode: 0o600 });
   * ```
   */
  static async generate(options: GenerateKeyPairSignerOptions = {}): Promise<KeyPairSigner> {
    const alg = options.alg ?? "ES256";
    if (alg !== "ES256" && alg !== "EdDSA") {
      throw new TypeError(`KeyPairSigner supports "ES256" and "EdDSA", not ${JSON.stringify(alg)}`);
    }
    return new KeyPairSigner({
      privateKey: await generatePrivateKey(alg),
      alg,
      ...(options.kid === undefined ? {} : { kid: options.kid }),
    });
  }

  /**
   * Signs `claims`, serialised in their own key order, with the signing key.
   *
   * @param claims - the ID-token or access-token claims
   * @returns the compact JWS `header.payload.signature`
   */
  async sign(claims: TokenClaims): Promise<string> {
    return signToken(this.alg, this.#header, this.#privateKey, claims);
  }

  /**
   * Verifies `token` with the key its `kid` names (the signing key or a
   * previous key) and returns its claims, or rejects with a `TokenError`.
   *
   * @param token - a compact JWS
   * @param options - clock, clock tolerance, required project and kind
   */
  async verify(token: string, options?: VerifyOptions): Promise<TokenClaims> {
    return verifyWithKeyring(token, this.#keyring, options);
  }

  /**
   * The JWKS document to publish: the signing key first, then the previous
   * keys; public members, `kid`, `alg` and `use: "sig"` only.
   *
   * @returns a fresh `{ keys }` object, safe to serialise as is
   */
  jwks(): { keys: PublicJwk[] } {
    return { keys: this.#jwks.map((jwk) => ({ ...jwk })) };
  }

  /**
   * The signing key as a private JWK (with `kid`, `alg`, `use`), to persist a
   * generated key. Keep it secret: it contains `d`.
   *
   * @returns the private JWK
   */
  exportPrivateJwk(): Jwk {
    return { ...this.#privateKey.export({ format: "jwk" }), kid: this.kid, alg: this.alg, use: "sig" };
  }
}
