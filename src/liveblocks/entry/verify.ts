/**
 * The one token check of the facade: `verifyToken` and every entry decision
 * call it with the instance's verifier, clock, tolerance and project.
 */
import { localVerificationOf } from "../../tokens/signers.js";
import type { TokenClaims, VerifyOptions as TokenVerifyOptions } from "../../tokens/types.js";
import type { Config } from "../options.js";

/** What a caller may ask of one verification. */
export type VerifyOptions = { kind?: "id" | "acc"; signal?: AbortSignal | undefined };

/**
 * The claims of `token` if this instance accepts it; throws or rejects with
 * a `TokenError` otherwise. roomgate's own verifiers answer in the calling
 * turn where the crypto is synchronous (no `async` wrapper to pay for).
 */
export function verifyWith(config: Config, token: string, options?: VerifyOptions): TokenClaims | Promise<TokenClaims> {
  const given: TokenVerifyOptions = { now: config.now(), clockTolerance: config.clockTolerance, projectId: config.projectId };
  if (options?.kind !== undefined) given.kind = options.kind;
  if (options?.signal !== undefined) given.signal = options.signal;
  const verifyLocally = localVerificationOf(config.verifier);
  return verifyLocally === undefined ? config.verifier.verify(token, given) : verifyLocally(token, given);
}
