/**
 * The one error class of the token layer. Codes are jose's where jose has
 * one, so callers that already narrow on jose's `err.code` keep working.
 */

/**
 * Why a token was rejected (or could not be produced). Stable: callers
 * narrow on it, messages may be reworded.
 *
 * @example
 * ```ts
 * if (err instanceof TokenError && err.code === "ERR_JWT_EXPIRED") return refresh();
 * ```
 */
export type TokenErrorCode =
  /** The token is longer than 8 KiB; nothing in it was decoded. */
  | "ERR_JWT_TOO_LARGE"
  /** Not a compact JWS with canonical base64url segments, or not JSON objects inside. */
  | "ERR_JWT_MALFORMED"
  /** `alg` is `none` (any case) or any algorithm but the pinned one. */
  | "ERR_JWS_ALG_NOT_ALLOWED"
  /** The `kid` names no configured key (or the verifier uses no `kid`). */
  | "ERR_JWKS_NO_MATCHING_KEY"
  /** A header parameter roomgate never accepts (`jku`, `jwk`, `crit`, `zip`, a wrong `typ`, …). */
  | "ERR_JWS_INVALID_HEADER"
  /** The signature does not match the header and payload under the key. */
  | "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
  /** `exp` is in the past (beyond the clock tolerance). */
  | "ERR_JWT_EXPIRED"
  /** `nbf` is in the future (beyond the clock tolerance). */
  | "ERR_JWT_NOT_YET_VALID"
  /** `iat` is in the future (beyond the clock tolerance). */
  | "ERR_JWT_ISSUED_IN_FUTURE"
  /** A claim is missing, ill-typed, or not the expected project or token kind. */
  | "ERR_JWT_CLAIM_INVALID";

/**
 * A token was rejected. `code` says why in a stable form; `message` says it
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
