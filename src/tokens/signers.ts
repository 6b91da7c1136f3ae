/**
 * roomgate's own signers, registered so the facade can hand them claims it
 * serialised itself (one pass over the claims instead of two); any other
 * `TokenSigner` is called through `sign`.
 */
import type { TokenClaims, TokenSigner, TokenVerifier, VerifyOptions } from "./types.js";

/** Signs serialised claims into a compact JWS (base64url and dots only). */
export type PayloadSigning = (payloadJson: string) => string | Promise<string>;

/** roomgate's own signers, with the `sign` method they were built with. */
const payloadSigners = new WeakMap<TokenSigner, { readonly sign: TokenSigner["sign"]; readonly signPayload: PayloadSigning }>();

/**
 * Registers `signer` (an `HmacSigner` or `KeyPairSigner`) as able to sign
 * serialised claims, as long as its `sign` is still `sign`.
 * @internal
 */
export function registerPayloadSigning(signer: TokenSigner, sign: TokenSigner["sign"], signPayload: PayloadSigning): void {
  payloadSigners.set(signer, { sign, signPayload });
}

/**
 * How to sign serialised claims with `signer`, if it is one of roomgate's
 * own and its `sign` was not replaced (a subclass or a spy that overrides
 * `sign` is called through `sign`); otherwise `undefined`.
 * @internal
 */
export function payloadSigningOf(signer: TokenSigner): PayloadSigning | undefined {
  const entry = payloadSigners.get(signer);
  return entry !== undefined && signer.sign === entry.sign ? entry.signPayload : undefined;
}

/** Verifies a token in the calling turn where the crypto is synchronous (Node), else in a promise (WebCrypto). */
export type LocalVerification = (token: string, options: VerifyOptions | undefined) => TokenClaims | Promise<TokenClaims>;

/** roomgate's own verifiers over local keys, with the `verify` method they were built with. */
const localVerifiers = new WeakMap<
  TokenVerifier,
  { readonly verify: TokenVerifier["verify"]; readonly verifyLocally: LocalVerification }
>();

/**
 * Registers `verifier` (an `HmacSigner` or `KeyPairSigner`) as verifying
 * over keys it holds, as long as its `verify` is still `verify`.
 * @internal
 */
export function registerLocalVerification(
  verifier: TokenVerifier,
  verify: TokenVerifier["verify"],
  verifyLocally: LocalVerification,
): void {
  localVerifiers.set(verifier, { verify, verifyLocally });
}

/**
 * How to verify with `verifier` without its `async` wrapper (the entry
 * check then decides in one turn when the store answers at once), if it is
 * one of roomgate's own and its `verify` was not replaced; otherwise
 * `undefined`. It throws where `verify` would reject.
 * @internal
 */
export function localVerificationOf(verifier: TokenVerifier): LocalVerification | undefined {
  const entry = localVerifiers.get(verifier);
  return entry !== undefined && verifier.verify === entry.verify ? entry.verifyLocally : undefined;
}
