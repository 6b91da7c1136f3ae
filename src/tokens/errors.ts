/**
 * The errors of the token layer: `TokenError` when a token was judged and
 * rejected, `VerifierUnavailableError` when it could not be judged (a remote
 * key set out of reach). Three codes are jose 6's own (`ERR_JWT_EXPIRED`,
 * `ERR_JWKS_NO_MATCHING_KEY`, `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`);
 * the others are roomgate's, each saying which jose code covers the case.
 */

/**
 * Why a token was rejected (or could not be produced). Stable: callers
 * narrow on it, messages may be reworded.
 */
export type TokenErrorCode =
  /** The token is longer than 8 KiB; nothing in it was decoded. roomgate's own: jose has no size limit. */
  | "ERR_JWT_TOO_LARGE"
  /**
   * Not a compact JWS with canonical base64url segments, or not JSON objects
   * inside. roomgate's own: jose says `ERR_JWS_INVALID` / `ERR_JWT_INVALID`.
   */
  | "ERR_JWT_MALFORMED"
  /**
   * `alg` is `none` (any case) or any algorithm but the pinned one.
   * roomgate's own: jose says `ERR_JOSE_ALG_NOT_ALLOWED`.
   */
  | "ERR_JWS_ALG_NOT_ALLOWED"
  /** The `kid` names no configured key (or the verifier uses no `kid`). jose's code too. */
  | "ERR_JWKS_NO_MATCHING_KEY"
  /**
   * A header parameter roomgate never accepts (`jku`, `jwk`, `crit`, `zip`, a
   * wrong `typ`, …). roomgate's own: jose says `ERR_JWS_INVALID`,
   * `ERR_JOSE_NOT_SUPPORTED` (`crit`) or `ERR_JWT_CLAIM_VALIDATION_FAILED` (`typ`).
   */
  | "ERR_JWS_INVALID_HEADER"
  /** The signature does not match the header and payload under the key. jose's code too. */
  | "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
  /** `exp` is in the past (beyond the clock tolerance). jose's code too. */
  | "ERR_JWT_EXPIRED"
  /**
   * `nbf` is in the future (beyond the clock tolerance). roomgate's own:
   * jose says `ERR_JWT_CLAIM_VALIDATION_FAILED` with `claim: "nbf"`.
   */
  | "ERR_JWT_NOT_YET_VALID"
  /**
   * `iat` is in the future (beyond the clock tolerance). roomgate's own:
   * jose says `ERR_JWT_CLAIM_VALIDATION_FAILED` with `claim: "iat"`.
   */
  | "ERR_JWT_ISSUED_IN_FUTURE"
  /**
   * A claim is missing, ill-typed, or not the expected project or token
   * kind. roomgate's own: jose says `ERR_JWT_CLAIM_VALIDATION_FAILED`.
   */
  | "ERR_JWT_CLAIM_INVALID";

/**
 * A token was rejected: it is bad, whatever the state of the keys. `code` says why in a stable form; `message` says it
 * for people.
 *
 * @example
 * ```ts
 * try {
 *   await signer.verify(token, { kind: "acc" });
 * } catch (err) {
 *   if (err instanceof TokenError) console.log(err.code, err.message);
 * }
 * ```
 */
export class TokenError extends Error {
  override readonly name = "TokenError";
  readonly code: TokenErrorCode;

  /**
   * @param code - why the token was rejected
   * @param message - the same, for people
   */
  constructor(code: TokenErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The verifier could not judge a token: its remote JWKS document could not
 * be fetched or used (timeout, connection refused, an answer other than 200,
 * a body over the limit, not JSON, no usable key). Not a `TokenError`: it
 * says nothing about the token, so treat it as an outage, not an attack.
 * roomgate's own code; jose would say `ERR_JWKS_TIMEOUT`, `ERR_JOSE_GENERIC`
 * or `ERR_JWKS_INVALID`.
 *
 * @example
 * ```ts
 * try {
 *   claims = await verifier.verify(token);
 * } catch (err) {
 *   if ((err as { code?: unknown }).code === "ERR_VERIFIER_UNAVAILABLE") return retryLater();
 *   throw err;
 * }
 * ```
 */
export class VerifierUnavailableError extends Error {
  override readonly name = "VerifierUnavailableError";
  readonly code = "ERR_VERIFIER_UNAVAILABLE";

  /**
   * @param message - what failed, without the body or other unbounded input
   * @param options - the underlying error as `cause`
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Longest piece of a token echoed back in an error message. */
const ECHO_LIMIT = 64;

/**
 * `text` quoted for an error message, cut short: a token may carry kilobytes there.
 *
 * @example
 * ```ts
 * quote("k".repeat(5000)); // "\"kkk…k\"… (5000 characters)"
 * ```
 */
export function quote(text: string): string {
  if (text.length <= ECHO_LIMIT) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, ECHO_LIMIT))}… (${text.length} characters)`;
}
