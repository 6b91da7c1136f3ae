/**
 * The one copy of a room that leaves a store on its way to a caller: built
 * directly in the shape `@liveblocks/node` hands out (parsed JSON), so the
 * facade need not copy it a second time.
 */
import type { RoomAccesses, RoomPermission } from "../permissions/scopes.js";
import type { RoomData, RoomMetadata } from "./types.js";

/**
 * The brand of a store whose every returned room is a {@link plainRoomCopy}
 * nobody else holds (`store[PLAIN_ROOM_COPIES] === true`): the facade then
 * hands its rooms out as they are instead of copying them a second time. A
 * per-store flag, not a per-room mark: a `WeakSet` of returned rooms cost
 * about 1 µs a room in insertion and GC.
 */
export const PLAIN_ROOM_COPIES: unique symbol = Symbol.for("roomgate.plainRoomCopies");

/**
 * A deep copy of `room` as parsed JSON would give it: plain objects whose
 * every key (`__proto__` included) is an own data property, so
 * `room.usersAccesses.hasOwnProperty(id)` works; fresh `Date`s and arrays.
 *
 * @example
 * ```ts
 * const mine = plainRoomCopy(stored);
 * mine.usersAccesses["eve"] = ["*:write"]; // `stored` is unchanged
 * ```
 */
export function plainRoomCopy(room: RoomData): RoomData {
  // Key order is @liveblocks/node's: lastConnectionAt, when present, follows createdAt.
  return room.lastConnectionAt === undefined
    ? {
        type: "room",
        id: room.id,
        createdAt: new Date(room.createdAt.getTime()),
        organizationId: room.organizationId,
        defaultAccesses: copyArray(room.defaultAccesses),
        usersAccesses: plainAccesses(room.usersAccesses),
        groupsAccesses: plainAccesses(room.groupsAccesses),
        metadata: plainMetadata(room.metadata),
      }
    : {
        type: "room",
        id: room.id,
        createdAt: new Date(room.createdAt.getTime()),
        lastConnectionAt: new Date(room.lastConnectionAt.getTime()),
        organizationId: room.organizationId,
        defaultAccesses: copyArray(room.defaultAccesses),
        usersAccesses: plainAccesses(room.usersAccesses),
        groupsAccesses: plainAccesses(room.groupsAccesses),
        metadata: plainMetadata(room.metadata),
      };
}

/**
 * Does `store` return only its callers' own {@link plainRoomCopy} rooms?
 *
 * @example
 * ```ts
 * const rooms = returnsPlainRoomCopies(store) ? page.rooms : page.rooms.map((room) => plainRoomCopy(room));
 * ```
 */
export function returnsPlainRoomCopies(store: object): boolean {
  return (store as { [PLAIN_ROOM_COPIES]?: unknown })[PLAIN_ROOM_COPIES] === true;
}

function plainAccesses(accesses: RoomAccesses): RoomAccesses {
  const copy: RoomAccesses = Object.create(null);
  const keys = Object.keys(accesses);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    copy[key] = copyArray(accesses[key] as RoomPermission);
  }
  return toPlainObject(copy);
}

function plainMetadata(metadata: RoomMetadata): RoomMetadata {
  const copy: RoomMetadata = Object.create(null);
  const keys = Object.keys(metadata);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = metadata[key] as string | string[];
    copy[key] = typeof value === "string" ? value : copyArray(value);
  }
  return toPlainObject(copy);
}

/**
 * Gives a map filled without a prototype the ordinary one. Assigning user
 * ids to `{}` instead walks and grows a hidden-class transition tree with
 * one branch per distinct id: a page of 20 rooms with ids from 5000 users
 * measured 121 µs that way, 66 µs this way. `__proto__` was an ordinary
 * key while the map had no prototype, so it stays an own data property.
 */
function toPlainObject<T extends object>(map: T): T {
  return Object.setPrototypeOf(map, Object.prototype) as T;
}

/**
 * A fresh mutable copy. Literals for the usual one or two scopes, spread
 * otherwise; never `slice()`, which takes a slow path on frozen arrays in V8 (about 8x).
 *
 * @example
 * ```ts
 * const mine = copyArray(stored.defaultAccesses);
 * ```
 */
export function copyArray<T>(array: readonly T[]): T[] {
  const length = array.length;
  if (length === 1) return [array[0] as T];
  if (length === 2) return [array[0] as T, array[1] as T];
  return [...array];
}
