/**
 * The decision Liveblocks makes on its servers when a user enters a room:
 * which scopes a user gets from a room's `defaultAccesses`, `groupsAccesses`
 * and `usersAccesses`. Pure and synchronous.
 */
import {
  type AccessLevel,
  type Permission,
  type PermissionMatrix,
  RESOURCE_SHIFT,
  RESOURCES,
  encodeScopes,
  fieldsSetBy,
  strongestOf,
} from "./scopes.js";
import { encodedGroups, encodedRulesOf } from "./encoded.js";

/**
 * The permission part of a room, as `RoomData` holds it.
 *
 * @example
 * ```ts
 * const room: RoomAccessRules = { defaultAccesses: [], usersAccesses: { alice: ["*:write"] } };
 * ```
 */
export type RoomAccessRules = {
  readonly defaultAccesses: readonly string[];
  readonly groupsAccesses?: { readonly [groupId: string]: readonly string[] } | undefined;
  readonly usersAccesses?: { readonly [userId: string]: readonly string[] } | undefined;
};

/**
 * Who is entering: the user id and the groups an ID token carries.
 *
 * @example
 * ```ts
 * const identity: AccessIdentity = { userId: "alice", groupIds: ["engineering"] };
 * ```
 */
export type AccessIdentity = {
  readonly userId: string;
  readonly groupIds?: readonly string[] | undefined;
};

/**
 * The outcome of resolving access. Decisions are shared and frozen: the same
 * matrix always yields the same object.
 *
 * @example
 * ```ts
 * const { canEnter, isReadOnly, scopes } = resolveAccess(room, { userId: "alice" });
 * ```
 */
export type AccessDecision = {
  /** The user may enter the room (`room` is not `none`). */
  readonly canEnter: boolean;
  /** The user may write storage. */
  readonly canWrite: boolean;
  /** The user may write comments of some visibility. */
  readonly canComment: boolean;
  /** `!canWrite`: what `@liveblocks/client` shows as read-only. */
  readonly isReadOnly: boolean;
  /** The canonical scopes that give exactly `matrix`. */
  readonly scopes: readonly Permission[];
  /** The level of every resource. */
  readonly matrix: PermissionMatrix;
};

const ROOM = RESOURCE_SHIFT.room;
const LEVEL_NAME: readonly AccessLevel[] = ["none", "none", "read", "write"];

/** One frozen decision per possible encoded matrix (4^6), built on first use. */
const DECISIONS: (AccessDecision | undefined)[] = new Array(1 << 12);

/**
 * @internal The decision for an encoded, layered explicit matrix.
 */
export function decisionFor(code: number): AccessDecision {
  return (DECISIONS[code] ??= buildDecision(code));
}

function buildDecision(code: number): AccessDecision {
  const level = (shift: number) => (code >> shift) & 3;
  const room = level(ROOM);
  const matrix = {} as Record<(typeof RESOURCES)[number], AccessLevel>;
  if (room === 0) {
    for (const resource of RESOURCES) matrix[resource] = "none";
  } else {
    const comments = level(RESOURCE_SHIFT.comments) || room;
    const fallback: Record<(typeof RESOURCES)[number], number> = {
      room,
      storage: room,
      comments: room,
      "comments:public": comments,
      "comments:private": comments,
      feeds: room,
    };
    for (const resource of RESOURCES) {
      matrix[resource] = LEVEL_NAME[level(RESOURCE_SHIFT[resource]) || fallback[resource]]!;
    }
  }
  const canWrite = matrix.storage === "write";
  const decision: AccessDecision = {
    canEnter: matrix.room !== "none",
    canWrite,
    canComment: matrix.comments === "write" || matrix["comments:public"] === "write" || matrix["comments:private"] === "write",
    isReadOnly: !canWrite,
    scopes: Object.freeze(canonicalScopes(matrix)),
    matrix: Object.freeze(matrix),
  };
  return Object.freeze(decision);
}

/** The shortest scope list that yields `matrix`, in Liveblocks' order. */
function canonicalScopes(matrix: PermissionMatrix): Permission[] {
  const scopes: Permission[] = [];
  const base = matrix.room;
  if (base !== "none") scopes.push(base === "write" ? "*:write" : "*:read");
  if (matrix.storage !== base) scopes.push(`storage:${matrix.storage}`);
  if (matrix.comments !== base) scopes.push(`comments:${matrix.comments}`);
  if (matrix["comments:public"] !== matrix.comments) {
    scopes.push(`comments:public:${matrix["comments:public"]}`);
  }
  if (matrix["comments:private"] !== matrix.comments) {
    scopes.push(`comments:private:${matrix["comments:private"]}`);
  }
  if (matrix.feeds !== base) scopes.push(`feeds:${matrix.feeds}`);
  return scopes;
}

/** A layer overrides every resource it sets, in both directions. */
function overlay(below: number, layer: number): number {
  return (below & ~fieldsSetBy(layer)) | layer;
}

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

/**
 * Turns a scope list into its full permission matrix, the way
 * `permissionMatrixFromScopes` in `@liveblocks/core` does.
 *
 * @example
 * ```ts
 * permissionMatrixOf(["*:read", "comments:write"]).comments; // "write"
 * ```
 */
export function permissionMatrixOf(scopes: readonly string[]): PermissionMatrix {
  return decisionFor(encodeScopes(scopes)).matrix;
}
