/**
 * The room-entry decision of `checkRoomAccess`: verify the token, read what
 * the store knows, resolve, and fail closed on anything else.
 */
import { resolveTokenAccess } from "../permissions/patterns.js";
import { type AccessDecision, type RoomAccessRules, resolveAccess } from "../permissions/resolve.js";
import type { StoreReadOptions } from "../storage/types.js";
import { TokenError } from "../tokens/errors.js";
import type { TokenClaims } from "../tokens/types.js";
import { messages } from "./errors.js";
import type { Config } from "./options.js";
import type { RequestOptions, RoomAccessDenial, RoomAccessResult } from "./types.js";
import { checkInput } from "./validation.js";

/**
 * The decision for `token` entering `roomId`; never rejects.
 * @internal
 */
export async function decideRoomAccess(
  config: Config,
  verify: (token: string) => Promise<TokenClaims>,
  token: string,
  roomId: string,
  options?: RequestOptions,
): Promise<RoomAccessResult> {
  let claims: TokenClaims;
  try {
    claims = await verify(token);
  } catch (error) {
    if (error instanceof TokenError) {
      return deny(error.code === "ERR_JWT_EXPIRED" ? "expired" : "invalid-token", error.message);
    }
    return deny("invalid-token", "The token could not be verified.");
  }
  const id = checkInput(config.schemas.roomId, roomId, "roomId");
  if (!id.ok) return deny("room-not-found", id.error.message);

  const read = { signal: options?.signal };
  const groupIds = claims.k === "id" ? (claims.gids ?? []) : [];
  let revokedBefore: number | null;
  let rules: RoomAccessRules | null = null;
  try {
    [revokedBefore, rules] = await Promise.all([
      config.store.getRevocation(claims.uid, read),
      claims.k === "id" ? accessRules(config, id.data, claims.uid, groupIds, read) : null,
    ]);
  } catch {
    return deny("store-unavailable", "The room store could not be read; access denied.");
  }
  if (revokedBefore !== null && claims.iat * 1000 < revokedBefore) {
    const cutoff = new Date(revokedBefore).toISOString();
    return deny("revoked", `Tokens of user "${claims.uid}" issued before ${cutoff} are revoked.`);
  }

  let decision: AccessDecision;
  if (claims.k === "id") {
    if (rules === null) return deny("room-not-found", messages.roomNotFound(id.data));
    decision = resolveAccess(rules, { userId: claims.uid, groupIds });
  } else {
    decision = resolveTokenAccess(claims.perms, id.data);
  }
  if (!decision.canEnter) {
    return deny("no-access", `User "${claims.uid}" may not enter room "${id.data}".`);
  }
  return {
    allowed: true,
    userId: claims.uid,
    groupIds,
    userInfo: claims.ui,
    tokenKind: claims.k,
    scopes: decision.scopes,
    canWrite: decision.canWrite,
    canComment: decision.canComment,
    isReadOnly: decision.isReadOnly,
  };
}

/** The room's permissions for one user, through the store's fast path where it has one. */
function accessRules(
  config: Config,
  roomId: string,
  userId: string,
  groupIds: readonly string[],
  options: StoreReadOptions,
): Promise<RoomAccessRules | null> {
  const store = config.store;
  if (store.getAccessRules !== undefined) return store.getAccessRules(roomId, { userId, groupIds }, options);
  return store.get(roomId, options);
}

function deny(reason: RoomAccessDenial, message: string): RoomAccessResult {
  return { allowed: false, reason, message };
}
