/**
 * The default signer: HS256 under a key derived from the project's secret.
 */
import { createSecretKey, hkdfSha256, type KeyObject } from "../runtime/crypto/node.js";
import { createKeyring, encodeHeader, signPayload, signToken, verifyWithKeyring, type Keyring } from "./jws.js";
import { registerLocalVerification, registerPayloadSigning } from "./signers.js";
import type { TokenClaims, TokenSigner, VerifyOptions } from "./types.js";

/**
 * HKDF `info` label of the HS256 key. Part of the token format: changing it
 * invalidates every token already issued.
 */
const HS256_KEY_INFO = "roomgate/v1/hs256-token-key";

/** Options of {@link HmacSigner}. */
export type HmacSignerOptions = {
  /** The project's secret (`sk_…`), as text or bytes. Never used as the key itself. */
  secret: string | Uint8Array;
};

/**
 * Signs and verifies tokens with HS256. The key is
 * `HKDF-SHA256(ikm = secret, salt = "", info = "roomgate/v1/hs256-token-key", 32 bytes)`,
 * so the secret that authenticates REST calls never doubles as a MAC key,
 * and another verifier can derive the same key. Tokens carry no `kid`; the
 * header is exactly `{"alg":"HS256","typ":"JWT"}`.
 *
 * @example
 * ```ts
 * const signer = new HmacSigner({ secret: "sk_prod_…" });
 * const token = await signer.sign({ k: "id", pid: "pr_1", uid: "alice", iat, exp: iat + 3600, jti: randomTokenId() });
 * const claims = await signer.verify(token, { kind: "id" });
 * ```
 */
export class HmacSigner implements TokenSigner {
  readonly alg = "HS256" as const;
  readonly kid: string | undefined = undefined;
  readonly #key: KeyObject;
  readonly #header: string;
  readonly #keyring: Keyring;

  /**
   * @param options - `secret`: the project's secret key, non-empty
   */
  constructor(options: HmacSignerOptions) {
    const secret = options?.secret;
    if (!(typeof secret === "string" || secret instanceof Uint8Array) || secret.length === 0) {
      throw new TypeError("HmacSigner needs a non-empty secret (a string or bytes)");
    }
    this.#key = createSecretKey(hkdfSha256(secret, HS256_KEY_INFO, 32));
    this.#header = encodeHeader("HS256", undefined);
    this.#keyring = createKeyring("HS256", false, [{ kid: undefined, key: this.#key }]);
    const key = this.#key;
    const header = this.#header;
    // The facade hands over claims it serialised in one pass, and skips an await.
    registerPayloadSigning(this, HmacSigner.prototype.sign, (payloadJson) => signPayload("HS256", header, key, payloadJson));
    const keyring = this.#keyring;
    registerLocalVerification(this, HmacSigner.prototype.verify, (token, options) => verifyWithKeyring(token, keyring, options));
  }

  /**
   * Signs `claims`, serialised in their own key order.
   *
   * @param claims - the ID-token or access-token claims
   * @returns the compact JWS `header.payload.signature`
   */
  async sign(claims: TokenClaims): Promise<string> {
    return signToken("HS256", this.#header, this.#key, claims);
  }

  /**
   * Verifies `token` and returns its claims, or rejects with a `TokenError`.
   *
   * @param token - a compact JWS
   * @param options - clock, clock tolerance, required project and kind
   */
  async verify(token: string, options?: VerifyOptions): Promise<TokenClaims> {
    return verifyWithKeyring(token, this.#keyring, options);
  }
}
