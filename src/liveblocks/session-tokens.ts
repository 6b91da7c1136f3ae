/**
 * Issuing tokens: `identifyUser`'s ID tokens and `Session.authorize()`'s
 * access tokens, from the checks of the input to the response body.
 *
 * roomgate's own signers get the claims as JSON built here in one pass, in
 * claim order, with `userInfo` serialised once (the JSON its size was
 * checked on is the JSON signed), and sign synchronously: no await between
 * the call and the token. Any other signer gets the claims object through
 * `sign`. Both produce the same bytes for the same claims.
 */
import type { AccessTokenClaims, IdTokenClaims, JsonObject, TokenClaims, TokenSigner } from "../tokens/types.js";
import { type PayloadSigning, payloadSigningOf } from "../tokens/signers.js";
import type { AuthResponse } from "./auth.js";
import { DEFAULT_ORGANIZATION } from "../rooms/types.js";
import { invalidField } from "../protocol/errors.js";
import { messages } from "../protocol/messages.js";
import type { Config } from "./options.js";
import type { AccessTokenRequest } from "./session.js";
import type { IdentifyUserOptions } from "./types.js";
import { type CheckedIdentity, checkIdentityFast } from "./identity-fast-path.js";
import { checkInput, serializeUserInfo } from "./schemas.js";

const COMPACT_JWS = /^[\w.-]*$/;
const SIGN_FAILED = 'Could not sign the token. See "error" for more information.';

/**
 * Throws the SDK's message unless `value` is a non-empty string: a
 * programmer error, as in `@liveblocks/node`, not a 422.
 * @internal
 */
export function assertNonEmpty(value: unknown, field: string): asserts value is string {
  if (typeof value !== "string" || value.length === 0) throw new Error(messages.nonEmptyString(field));
}

/**
 * `identifyUser`: checks the identity and `userInfo`, then signs an ID
 * token. Throws only for an empty `userId`; a rule broken is a 422 response.
 * @internal
 */
export function issueIdToken(
  config: Config,
  identity: unknown,
  options: IdentifyUserOptions | undefined,
): AuthResponse | Promise<AuthResponse> {
  const fields = typeof identity === "string" ? { userId: identity } : (identity as { userId?: unknown } | null | undefined);
  assertNonEmpty(fields?.userId, "userId");
  let checked: CheckedIdentity | undefined = checkIdentityFast(identity, config.limits);
  if (checked === undefined) {
    // The schema decides what the fast check left open, and words the error.
    const parsed = checkInput(config.schemas.identity, fields, "identity");
    if (!parsed.ok) return { status: parsed.error.status, body: parsed.error.message };
    checked = {
      userId: parsed.data.userId,
      groupIds: parsed.data.groupIds,
      organizationId: parsed.data.organizationId ?? parsed.data.tenantId,
    };
  }
  const userInfo = options?.userInfo;
  const ui = userInfo === undefined ? undefined : serializeUserInfo(userInfo, config.limits.userInfoBytes);
  if (typeof ui === "object") return badUserInfo(ui.rule);
  const { userId, groupIds } = checked;
  const oid = tokenOrganization(checked.organizationId);
  const { pid, iat, exp, jti } = stamp(config);
  const signPayload = payloadSigningOf(config.signer);
  if (signPayload !== undefined && typeof pid === "string" && typeof jti === "string") {
    // Claim order: k, pid, uid, ui?, gids?, oid?, iat, exp, jti.
    let json = `{"k":"id","pid":${JSON.stringify(pid)},"uid":${JSON.stringify(userId)}`;
    if (ui !== undefined) json += `,"ui":${ui}`;
    if (groupIds !== undefined) json += `,"gids":${JSON.stringify(groupIds)}`;
    if (oid !== undefined) json += `,"oid":${JSON.stringify(oid)}`;
    return signed(signPayload, `${json},"iat":${jsonNumber(iat)},"exp":${jsonNumber(exp)},"jti":${JSON.stringify(jti)}}`);
  }
  // Built in the same claim order; a copy of the groups, as the signer may keep them past this call.
  const claims = { k: "id", pid, uid: userId } as IdTokenClaims;
  if (ui !== undefined) claims.ui = userInfo as JsonObject;
  if (groupIds !== undefined) claims.gids = [...groupIds];
  if (oid !== undefined) claims.oid = oid;
  claims.iat = iat;
  claims.exp = exp;
  claims.jti = jti;
  return signClaims(config.signer, claims);
}

/**
 * `Session.authorize()`: checks the user and `userInfo`, then signs an
 * access token carrying the session's permissions.
 * @internal
 */
export function issueAccessToken(config: Config, request: AccessTokenRequest): AuthResponse | Promise<AuthResponse> {
  const input: { userId: string; organizationId?: string } = { userId: request.userId };
  if (request.organizationId !== undefined) input.organizationId = request.organizationId;
  let userId = checkIdentityFast(input, config.limits)?.userId;
  if (userId === undefined) {
    const parsed = checkInput(config.schemas.identity, input, "identity");
    if (!parsed.ok) return { status: parsed.error.status, body: parsed.error.message };
    userId = parsed.data.userId;
  }
  const oid = tokenOrganization(request.organizationId);
  const userInfo = request.userInfo;
  const ui = userInfo === undefined ? undefined : serializeUserInfo(userInfo, config.limits.userInfoBytes);
  if (typeof ui === "object") return badUserInfo(ui.rule);
  const { perms } = request;
  const { pid, iat, exp, jti } = stamp(config);
  const signPayload = payloadSigningOf(config.signer);
  if (signPayload !== undefined && typeof pid === "string" && typeof jti === "string") {
    // Claim order: k, pid, uid, perms, ui?, oid?, iat, exp, jti.
    let json = `{"k":"acc","pid":${JSON.stringify(pid)},"uid":${JSON.stringify(userId)},"perms":${JSON.stringify(perms)}`;
    if (ui !== undefined) json += `,"ui":${ui}`;
    if (oid !== undefined) json += `,"oid":${JSON.stringify(oid)}`;
    return signed(signPayload, `${json},"iat":${jsonNumber(iat)},"exp":${jsonNumber(exp)},"jti":${JSON.stringify(jti)}}`);
  }
  const claims = { k: "acc", pid, uid: userId, perms } as AccessTokenClaims;
  if (ui !== undefined) claims.ui = userInfo as JsonObject;
  if (oid !== undefined) claims.oid = oid;
  claims.iat = iat;
  claims.exp = exp;
  claims.jti = jti;
  return signClaims(config.signer, claims);
}

/** The `oid` claim of a token for `organizationId`: none for Liveblocks' default organization, which a token without it is for. */
function tokenOrganization(organizationId: string | undefined): string | undefined {
  return organizationId === undefined || organizationId === DEFAULT_ORGANIZATION ? undefined : organizationId;
}

/** The claims every token ends with, read from the injectable clock and id generator. */
function stamp(config: Config): { pid: string; iat: number; exp: number; jti: string } {
  const iat = Math.floor(config.now() / 1000);
  return { pid: config.projectId, iat, exp: iat + config.ttl, jti: config.tokenId() };
}

/** A number as JSON writes it (`null` for NaN and the infinities). */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? `${value}` : "null";
}

function badUserInfo(rule: string): AuthResponse {
  const error = invalidField("userInfo", rule);
  return { status: error.status, body: error.message };
}

function signFailure(error: unknown): AuthResponse {
  return { status: 503, body: SIGN_FAILED, error: error instanceof Error ? error : new Error(String(error)) };
}

/** A token from roomgate's own signer: a compact JWS, base64url and dots, which need no JSON escaping. */
function signed(signPayload: PayloadSigning, payloadJson: string): AuthResponse | Promise<AuthResponse> {
  let token: string | Promise<string>;
  try {
    token = signPayload(payloadJson);
  } catch (error) {
    return signFailure(error);
  }
  if (typeof token === "string") return { status: 200, body: `{"token":"${token}"}` };
  return token.then((value): AuthResponse => ({ status: 200, body: `{"token":"${value}"}` }), signFailure);
}

/** Any other signer: its output is escaped unless it is a compact JWS. */
async function signClaims(signer: TokenSigner, claims: TokenClaims): Promise<AuthResponse> {
  let token: string;
  try {
    token = await signer.sign(claims);
  } catch (error) {
    return signFailure(error);
  }
  const body = COMPACT_JWS.test(token) ? `{"token":"${token}"}` : JSON.stringify({ token });
  return { status: 200, body };
}
