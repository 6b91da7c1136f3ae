/**
 * Verify-only access to roomgate tokens signed elsewhere, through the JWKS
 * document their signer publishes: given inline, or fetched from a URL
 * (`RemoteJwks`: jose's remote key set over a bounded fetch, one in flight).
 */
import { TokenError, type VerifierUnavailableError } from "./errors.js";
import { createKeyring, inspectHeader, splitToken, verifySigned, verifyWithKeyring, type Keyring } from "./jws.js";
import { importJwks, type Jwk, type KeyPairAlgorithm } from "./keys.js";
import { RemoteJwks, type RemoteJwksOptions } from "./remote-jwks.js";
import type { TokenClaims, TokenVerifier, VerifyOptions } from "./types.js";

/**
 * Options of {@link JwksVerifier}: an inline JWKS document, or the URL of
 * one (then see {@link RemoteJwksOptions}).
 */
export type JwksVerifierOptions =
  | {
      /** A JWKS document, e.g. a `KeyPairSigner`'s `jwks()`. */
      jwks: { readonly keys: ReadonlyArray<Jwk> };
      /** The only algorithm accepted. Defaults to `"ES256"`. */
      alg?: KeyPairAlgorithm;
    }
  | ({ url: string | URL } & RemoteJwksOptions);

/**
 * Verifies roomgate tokens with the public keys of a JWKS document; never
 * signs. The algorithm is pinned and the header must be exactly the one a
 * `KeyPairSigner` writes (`{"alg","typ":"JWT","kid"}`).
 *
 * Keys for another algorithm, symmetric keys and `use: "enc"` keys are
 * skipped; a JWK without `kid` is named by its thumbprint; an Ed25519 key of
 * small order makes the document unusable. An inline document is imported
 * whole, so a key that does not import is an error of the constructor. A
 * remote document is jose's key set: a key is imported when a token first
 * names it, and one that does not import (or a `kid` two keys share) fails
 * only those tokens; a `kid` not in the cached document refetches it (at
 * most once per cooldown). A document or key that cannot be fetched or used
 * rejects with a {@link VerifierUnavailableError} (`ERR_VERIFIER_UNAVAILABLE`),
 * not with a `TokenError`: the token was not judged.
 *
 * @example
 * ```ts
 * const verifier = JwksVerifier.remote("https://auth.example.com/.well-known/jwks.json");
 * const claims = await verifier.verify(token, { kind: "acc", projectId: "pr_1", signal: AbortSignal.timeout(2_000) });
 * ```
 */
export class JwksVerifier implements TokenVerifier {
  readonly alg: KeyPairAlgorithm;
  /** The keys of an inline document, or the remote document's cache. */
  readonly #source: { keyring: Keyring } | { remote: RemoteJwks };

  /**
   * @param options - `{ jwks, alg? }` for an inline document, or
   * `{ url, alg?, …timing }` for a remote one (`https:`, or `http:` on loopback
   * unless `allowInsecureHttp`)
   */
  constructor(options: JwksVerifierOptions) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError("JwksVerifier needs { jwks } or { url }");
    }
    this.alg = options.alg ?? "ES256";
    if (this.alg !== "ES256" && this.alg !== "EdDSA") {
      throw new TypeError(`JwksVerifier supports "ES256" and "EdDSA", not ${JSON.stringify(this.alg)}`);
    }
    if ("url" in options) {
      this.#source = { remote: new RemoteJwks(options.url, this.alg, options) };
    } else {
      this.#source = { keyring: createKeyring(this.alg, true, importJwks(options.jwks, this.alg)) };
    }
  }

  /**
   * A verifier over the JWKS document at `url`, fetched on first use.
   *
   * @param url - where the signer publishes its `jwks()`
   * @param options - the pinned algorithm, fetch/cache timings, body cap, `allowInsecureHttp`
   * @example
   * ```ts
   * const verifier = JwksVerifier.remote(new URL("/.well-known/jwks.json", authOrigin), { cooldownDuration: 10_000 });
   * ```
   */
  static remote(url: string | URL, options: RemoteJwksOptions = {}): JwksVerifier {
    return new JwksVerifier({ ...options, url });
  }

  /**
   * Verifies `token` with the key its `kid` names and returns its claims,
   * or rejects with a `TokenError`. A remote verifier may also reject with a
   * {@link VerifierUnavailableError}, or with `options.signal`'s reason.
   *
   * @param token - a compact JWS
   * @param options - clock, clock tolerance, required project and kind, and
   * a signal that stops waiting for the remote document
   */
  async verify(token: string, options?: VerifyOptions): Promise<TokenClaims> {
    const source = this.#source;
    if ("keyring" in source) return verifyWithKeyring(token, source.keyring, options);
    const parts = splitToken(token);
    // Every header check happens before any fetch: a forged header costs no request.
    const kid = inspectHeader(parts.header, this.alg, () => true);
    if (kid === undefined) throw new TokenError("ERR_JWS_INVALID_HEADER", 'The JWT header has no "kid" string');
    return verifySigned(parts, await source.remote.key(kid, options?.signal), options);
  }
}
