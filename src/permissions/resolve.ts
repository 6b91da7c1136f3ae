/**
 * The decision Liveblocks makes on its servers when a user enters a room:
 * which scopes a user gets from a room's `defaultAccesses`, `groupsAccesses`
 * and `usersAccesses`. Pure and synchronous.
 */
import { type AccessDecision, decisionFor, overlay } from "./decision.js";
import { encodedGroups, encodedRulesOf } from "./encoded.js";
import type { AccessIdentity, RoomAccessRules } from "./rules.js";
import { encodeScopes, strongestOf } from "./scopes.js";

/**
 * Resolves what `identity` may do in a room: `defaultAccesses`, then the
 * user's groups merged by highest access, then the user's own entry, each
 * layer overriding the resources it sets. Cost grows with the user's groups
 * and the scopes involved, not with the size of the room's maps. A deeply
 * frozen `room` (as `MemoryStore` hands it to `checkRoomAccess`) is encoded
 * once and the encoding reused while the object lives.
 *
 * @example
 * ```ts
 * import { resolveAccess } from "roomgate";
 *
 * const room = {
 *   defaultAccesses: ["room:write"],
 *   usersAccesses: { alice: ["room:read", "room:presence:write"] },
 * };
 * resolveAccess(room, { userId: "alice" });
 * // { canEnter: true, canWrite: false, isReadOnly: true, scopes: ["*:read"], ... }
 * ```
 */
export function resolveAccess(room: RoomAccessRules, identity: AccessIdentity): AccessDecision {
  const encoded = encodedRulesOf(room);
  if (encoded === undefined) return resolveUncached(room, identity);
  let code = encoded.defaults;
  const groupIds = identity.groupIds;
  if (groupIds !== undefined && groupIds.length > 0 && encoded.groupIds.length > 0) code = overlay(code, encodedGroups(encoded, groupIds));
  const user = encoded.users.get(identity.userId);
  if (user !== undefined) code = overlay(code, user);
  return decisionFor(code);
}

/** @internal {@link resolveAccess} reading every list afresh: the reference the cached path must equal. */
export function resolveUncached(room: RoomAccessRules, identity: AccessIdentity): AccessDecision {
  let code = encodeScopes(room.defaultAccesses);

  const groupsAccesses = room.groupsAccesses;
  const groupIds = identity.groupIds;
  if (groupsAccesses !== undefined && groupIds !== undefined && groupIds.length > 0) {
    let groups = 0;
    for (let i = 0; i < groupIds.length; i++) {
      const groupId = groupIds[i]!;
      if (Object.hasOwn(groupsAccesses, groupId)) {
        groups = strongestOf(groups, encodeScopes(groupsAccesses[groupId]!));
      }
    }
    code = overlay(code, groups);
  }

  const usersAccesses = room.usersAccesses;
  if (usersAccesses !== undefined && Object.hasOwn(usersAccesses, identity.userId)) {
    code = overlay(code, encodeScopes(usersAccesses[identity.userId]!));
  }
  return decisionFor(code);
}
