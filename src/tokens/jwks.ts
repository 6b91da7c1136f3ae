/**
 * Verify-only access to roomgate tokens signed elsewhere, through the JWKS
 * document their signer publishes: given inline, or fetched from a URL by
 * jose (`createRemoteJWKSet`: caching, cooldown, timeout).
 */
import { KeyObject } from "node:crypto";
import { createRemoteJWKSet, errors as joseErrors, type JWK, type RemoteJWKSet } from "jose";
import { TokenError } from "./errors.js";
import {
  createKeyring,
  inspectHeader,
  quote,
  splitToken,
  verifySigned,
  verifyWithKeyring,
  type Keyring,
  type VerificationKey,
} from "./jwt.js";
import { checkKeyAlgorithm, importPublicKey, resolveKid, type KeyPairAlgorithm } from "./keys.js";
import type { TokenClaims, TokenVerifier, VerifyOptions } from "./types.js";

/**
 * Options of a {@link JwksVerifier} over a remote JWKS document. The timing
 * options are jose's `createRemoteJWKSet` options, with jose's defaults.
 *
 * @example
 * ```ts
 * const options: RemoteJwksOptions = { alg: "ES256", cooldownDuration: 30_000, timeoutDuration: 5_000 };
 * ```
 */
export type RemoteJwksOptions = {
  /** The only algorithm accepted. Defaults to `"ES256"`. */
  alg?: KeyPairAlgorithm;
  /** Milliseconds after a fetch before an unknown `kid` may trigger another (jose default 30 s). */
  cooldownDuration?: number;
  /** Milliseconds a fetched document stays fresh (jose default 10 min). */
  cacheMaxAge?: number;
  /** Milliseconds before a fetch is aborted (jose default 5 s). */
  timeoutDuration?: number;
  /** Headers sent with the fetch. */
  headers?: Record<string, string>;
};

/**
 * Options of {@link JwksVerifier}: an inline JWKS document, or the URL of
 * one (then see {@link RemoteJwksOptions}).
 *
 * @example
 * ```ts
 * const options: JwksVerifierOptions = { jwks: await (await fetch(jwksUrl)).json() };
 * ```
 */
export type JwksVerifierOptions =
  | {
      /** A JWKS document, e.g. a `KeyPairSigner`'s `jwks()`. */
      jwks: { readonly keys: ReadonlyArray<JWK> };
      /** The only algorithm accepted. Defaults to `"ES256"`. */
      alg?: KeyPairAlgorithm;
    }
  | ({ url: string | URL } & RemoteJwksOptions);

/**
 * Verifies roomgate tokens with the public keys of a JWKS document; never
 * signs. The algorithm is pinned and the header must be exactly the one a
 * `KeyPairSigner` writes (`{"alg","typ":"JWT","kid"}`).
 *
 * Inline documents: keys for another algorithm, symmetric keys and `use:
 * "enc"` keys are skipped; a JWK without `kid` is named by its thumbprint.
 * Remote documents: a `kid` not in the cached document refetches it (at most
 * once per cooldown); fetch failures reject with jose's errors
 * (`ERR_JWKS_TIMEOUT`, …), not with a `TokenError`.
 *
 * @example
 * ```ts
 * const verifier = JwksVerifier.remote("https://auth.example.com/.well-known/jwks.json");
 * const claims = await verifier.verify(token, { kind: "acc", projectId: "pr_1" });
 * ```
 */
export class JwksVerifier implements TokenVerifier {
  readonly alg: KeyPairAlgorithm;
  /** The keys of an inline document, or jose's resolver of a remote one. */
  readonly #source: { keyring: Keyring } | { remote: RemoteJWKSet };
  /** Keys jose imported, converted once for `node:crypto`; dropped with them on refresh. */
  readonly #remoteKeys = new WeakMap<object, KeyObject>();

  /**
   * @param options - `{ jwks, alg? }` for an inline document, or
   * `{ url, alg?, …timing }` for a remote one
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
      const url = new URL(options.url);
      if (url.protocol !== "https:" && url.protocol !== "http:") {
        throw new TypeError(`The JWKS URL must be http(s), got ${url.protocol}`);
      }
      this.#source = {
        remote: createRemoteJWKSet(url, {
          ...(options.cooldownDuration === undefined ? {} : { cooldownDuration: options.cooldownDuration }),
          ...(options.cacheMaxAge === undefined ? {} : { cacheMaxAge: options.cacheMaxAge }),
          ...(options.timeoutDuration === undefined ? {} : { timeoutDuration: options.timeoutDuration }),
          ...(options.headers === undefined ? {} : { headers: options.headers }),
        }),
      };
    } else {
      this.#source = { keyring: createKeyring(this.alg, true, importJwks(options.jwks, this.alg)) };
    }
  }

  /**
   * A verifier over the JWKS document at `url`, fetched on first use.
   *
   * @param url - where the signer publishes its `jwks()`
   * @param options - the pinned algorithm and jose's fetch/cache timings
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
   * or rejects with a `TokenError`.
   *
   * @param token - a compact JWS
   * @param options - clock, clock tolerance, required project and kind
   */
  async verify(token: string, options?: VerifyOptions): Promise<TokenClaims> {
    const source = this.#source;
    if ("keyring" in source) return verifyWithKeyring(token, source.keyring, options);
    const parts = splitToken(token);
    // Every header check happens before any fetch: a forged header costs no request.
    const kid = inspectHeader(parts.header, this.alg, () => true);
    if (kid === undefined) throw new TokenError("ERR_JWS_INVALID_HEADER", 'The JWT header has no "kid" string');
    const key: VerificationKey = {
      alg: this.alg,
      kid,
      headerSegment: parts.header,
      key: await this.#remoteKey(source.remote, kid),
    };
    return verifySigned(parts, key, options);
  }

  async #remoteKey(remote: RemoteJWKSet, kid: string): Promise<KeyObject> {
    let cryptoKey: Parameters<typeof KeyObject.from>[0];
    try {
      cryptoKey = (await remote({ alg: this.alg, kid, typ: "JWT" })) as typeof cryptoKey;
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey) {
        throw new TokenError("ERR_JWKS_NO_MATCHING_KEY", `No key matches the kid ${quote(kid)}`);
      }
      if (err instanceof joseErrors.JWKSMultipleMatchingKeys) {
        throw new TokenError("ERR_JWKS_NO_MATCHING_KEY", `Several keys of the JWKS match the kid ${quote(kid)}`);
      }
      throw err;
    }
    let key = this.#remoteKeys.get(cryptoKey);
    if (key === undefined) {
      key = KeyObject.from(cryptoKey);
      this.#remoteKeys.set(cryptoKey, key);
    }
    return key;
  }
}

/** The usable keys of an inline JWKS document for `alg`, each with its kid. */
function importJwks(
  jwks: { readonly keys: ReadonlyArray<JWK> },
  alg: KeyPairAlgorithm,
): Array<{ kid: string; key: KeyObject }> {
  if (typeof jwks !== "object" || jwks === null || !Array.isArray(jwks.keys)) {
    throw new TypeError('A JWKS document is an object with a "keys" array');
  }
  const wanted = alg === "ES256" ? { kty: "EC", crv: "P-256" } : { kty: "OKP", crv: "Ed25519" };
  const keys: Array<{ kid: string; key: KeyObject }> = [];
  for (const [index, jwk] of jwks.keys.entries()) {
    // Keys for something else are skipped, not errors: one document may serve several uses.
    if (jwk.kty !== wanted.kty || jwk.crv !== wanted.crv) continue;
    if (jwk.use !== undefined && jwk.use !== "sig") continue;
    if (jwk.alg !== undefined && jwk.alg !== alg) continue;
    const what = `jwks.keys[${index}]`;
    const key = importPublicKey(jwk, what);
    checkKeyAlgorithm(key, alg, jwk, what);
    keys.push({ kid: resolveKid(undefined, jwk, key, what), key });
  }
  if (keys.length === 0) throw new TypeError(`The JWKS document has no ${alg} signature key`);
  return keys;
}
