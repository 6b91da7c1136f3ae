/**
 * The one copy of a room that leaves a store on its way to a caller: built
 * directly in the shape `@liveblocks/node` hands out (parsed JSON), so the
 * facade need not copy it a second time.
 */
import type { RoomAccesses, RoomPermission } from "../permissions/scopes.js";
import type { RoomData, RoomMetadata } from "./types.js";

/** Rooms built by {@link plainRoomCopy}: owned by their receiver, already plain. */
const plainCopies = new WeakSet<RoomData>();

/**
 * A deep copy of `room` as parsed JSON would give it: plain objects whose
 * every key (`__proto__` included) is an own data property, so
 * `room.usersAccesses.hasOwnProperty(id)` works; fresh `Date`s and arrays.
 * The copy is remembered as caller-owned and plain (see {@link isPlainRoomCopy}).
 *
 * @example
 * ```ts
 * const mine = plainRoomCopy(stored);
 * mine.usersAccesses["eve"] = ["*:write"]; // `stored` is unchanged
 * ```
 */
export function plainRoomCopy(room: RoomData): RoomData {
  // Key order is @liveblocks/node's: lastConnectionAt, when present, follows createdAt.
  const copy: RoomData =
    room.lastConnectionAt === undefined
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
  plainCopies.add(copy);
  return copy;
}

/**
 * Was `room` built by {@link plainRoomCopy} (so it is plain and nobody else
 * holds it)? The facade hands such a room out as it is.
 *
 * @example
 * ```ts
 * return isPlainRoomCopy(room) ? room : toPlainRoom(room);
 * ```
 */
export function isPlainRoomCopy(room: RoomData): boolean {
  return plainCopies.has(room);
}

function plainAccesses(accesses: RoomAccesses): RoomAccesses {
  const copy: RoomAccesses = {};
  const keys = Object.keys(accesses);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    setOwn(copy, key, copyArray(accesses[key] as RoomPermission));
  }
  return copy;
}

function plainMetadata(metadata: RoomMetadata): RoomMetadata {
  const copy: RoomMetadata = {};
  const keys = Object.keys(metadata);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = metadata[key] as string | string[];
    setOwn(copy, key, typeof value === "string" ? value : copyArray(value));
  }
  return copy;
}

/**
 * A fresh mutable copy. Literals for the usual one or two scopes, spread
 * otherwise; never `slice()`, which takes a slow path on frozen arrays in V8 (about 8x).
 */
function copyArray<T>(array: readonly T[]): T[] {
  const length = array.length;
  if (length === 1) return [array[0] as T];
  if (length === 2) return [array[0] as T, array[1] as T];
  return [...array];
}

/** Assignment, except for `__proto__`, which on a plain object must be defined to stay data. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
