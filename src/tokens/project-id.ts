/**
 * The default `pid` claim: a project id derived from the secret.
 */
import { base64urlEncode, hkdfSha256 } from "../runtime/crypto/node.js";

/**
 * HKDF `info` label of the project id. Part of the token format: changing it
 * changes every project id.
 */
const PROJECT_ID_INFO = "roomgate/v1/project-id";

/**
 * `"pr_"` + 16 base64url characters of HKDF-SHA256(secret, info
 * `roomgate/v1/project-id`): stable for a secret, and no shortcut to it. It
 * lets someone holding a token test a guess of the secret at the cost of
 * one HKDF, which the token's HS256 signature allows anyway; hence secrets
 * of at least 128 bits.
 *
 * @example
 * ```ts
 * deriveProjectId(process.env.ROOMGATE_SECRET!); // "pr_…"
 * ```
 */
export function deriveProjectId(secret: string): string {
  return `pr_${base64urlEncode(hkdfSha256(secret, PROJECT_ID_INFO, 12))}`;
}
