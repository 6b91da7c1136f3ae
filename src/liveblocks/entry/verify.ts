/**
 * The one token check of the facade: `verifyToken` and every entry decision
 * call it with the instance's verifier, clock, tolerance and project.
 */
import type { TokenClaims } from "../../tokens/types.js";
import type { Config } from "../options.js";

/** What a caller may ask of one verification. */
export type VerifyOptions = { kind?: "id" | "acc"; signal?: AbortSignal | undefined };

/** The claims of `token` if this instance accepts it; rejects with a `TokenError` otherwise. */
export function verifyWith(config: Config, token: string, options?: VerifyOptions): Promise<TokenClaims> {
  return config.verifier.verify(token, {
    now: config.now(),
    clockTolerance: config.clockTolerance,
    projectId: config.projectId,
    ...(options?.kind !== undefined && { kind: options.kind }),
    ...(options?.signal !== undefined && { signal: options.signal }),
  });
}
