/**
 * The update rule of every store, in one pure function, plus the deep copy
 * stores use so that nothing they hand out aliases what they keep.
 *
 * Maps of user-supplied keys (`usersAccesses`, `groupsAccesses`, `metadata`)
 * are always rebuilt as null-prototype objects: `__proto__`, `constructor` and
 * `toString` are then ordinary own keys, and a lookup such as
 * `room.usersAccesses[userId]` never finds something inherited.
 */
import type { RoomAccesses, RoomPermission } from "../permissions/scopes.js";
import type { RoomData, RoomMetadata, RoomPatch } from "./types.js";

/**
 * Applies `patch` to `room` and returns the new room; `room` and `patch` are
 * left untouched and share nothing with the result. `usersAccesses`,
 * `groupsAccesses` and `metadata` are patched key by key (a value replaces
 * the key, `null` removes it, absent keys are untouched; `null` for the whole
 * map empties it); `defaultAccesses`
 * is replaced whole and `null` resets it to `[]`; `{}` changes nothing.
 *
 * @example
 * ```ts
 * const next = applyRoomPatch(room, { usersAccesses: { alice: ["*:write"], bob: null } });
 * ```
 */
export function applyRoomPatch(room: RoomData, patch: RoomPatch): RoomData {
  const next = cloneRoom(room);
  if (patch.defaultAccesses !== undefined) {
    next.defaultAccesses = patch.defaultAccesses === null ? [] : [...patch.defaultAccesses];
  }
  if (patch.usersAccesses === null) next.usersAccesses = Object.create(null) as RoomAccesses;
  else if (patch.usersAccesses !== undefined) patchAccesses(next.usersAccesses, patch.usersAccesses);
  if (patch.groupsAccesses === null) next.groupsAccesses = Object.create(null) as RoomAccesses;
  else if (patch.groupsAccesses !== undefined) patchAccesses(next.groupsAccesses, patch.groupsAccesses);
  if (patch.metadata === null) next.metadata = Object.create(null) as RoomMetadata;
  else if (patch.metadata !== undefined) {
    for (const key of Object.keys(patch.metadata)) {
      const value = patch.metadata[key];
      if (value === undefined) continue;
      // Plain assignment is safe: the target has no prototype, so a
      // `__proto__` key becomes an own property instead of a prototype swap.
      if (value === null) delete next.metadata[key];
      else next.metadata[key] = copyMetadataValue(value);
    }
  }
  return next;
}

function patchAccesses(target: RoomAccesses, patch: Record<string, RoomPermission | null>): void {
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === undefined) continue;
    if (value === null) delete target[key];
    else target[key] = [...value];
  }
}

/**
 * A deep copy of `room`: fresh `Date`s, fresh arrays, and null-prototype
 * maps (so reserved ids such as `__proto__` stay ordinary keys that
 * `Object.keys` and `JSON.stringify` show). Optional `lastConnectionAt` is
 * copied only when present.
 *
 * @example
 * ```ts
 * const mine = cloneRoom(stored);
 * mine.usersAccesses["eve"] = ["*:write"]; // `stored` is unchanged
 * ```
 */
export function cloneRoom(room: RoomData): RoomData {
  // Key order is @liveblocks/node's: lastConnectionAt, when present, follows createdAt.
  return {
    type: "room",
    id: room.id,
    createdAt: new Date(room.createdAt.getTime()),
    ...(room.lastConnectionAt !== undefined && { lastConnectionAt: new Date(room.lastConnectionAt.getTime()) }),
    organizationId: room.organizationId,
    defaultAccesses: [...room.defaultAccesses],
    usersAccesses: cloneAccesses(room.usersAccesses),
    groupsAccesses: cloneAccesses(room.groupsAccesses),
    metadata: cloneMetadata(room.metadata),
  };
}

function cloneAccesses(accesses: RoomAccesses): RoomAccesses {
  const copy: RoomAccesses = Object.create(null);
  // Object.keys lists own enumerable keys only, so a `__proto__` key is read
  // from a plain source object too, and nothing inherited leaks in.
  for (const key of Object.keys(accesses)) copy[key] = [...(accesses[key] as RoomPermission)];
  return copy;
}

function cloneMetadata(metadata: RoomMetadata): RoomMetadata {
  const copy: RoomMetadata = Object.create(null);
  for (const key of Object.keys(metadata)) {
    copy[key] = copyMetadataValue(metadata[key] as string | string[]);
  }
  return copy;
}

function copyMetadataValue(value: string | string[]): string | string[] {
  return typeof value === "string" ? value : [...value];
}
