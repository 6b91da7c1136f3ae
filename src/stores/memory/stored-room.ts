/**
 * A room as `MemoryStore` keeps it: compact, frozen, and readable without
 * copying. Its three maps live in one flat array of id and value pairs,
 * which costs a third of the dictionary objects a `RoomData` needs and
 * lists its ids without `Object.keys`; rooms leave the store as plain
 * copies built from it.
 */
import type { RoomAccessRules } from "../../permissions/rules.js";
import type { RoomEntryRules } from "../../rooms/types.js";
import type { Permission, RoomAccesses, RoomPermission } from "../../permissions/scopes.js";
import { copyArray } from "../../rooms/copies.js";
import type { RankList } from "./rank-list.js";
import type { RoomData, RoomFilter, RoomMetadata } from "../../rooms/types.js";

/** A map value: an access list or a metadata value. */
type Value = string | readonly string[];

/** One of the stored room's two access maps. */
export type AccessPart = "users" | "groups";

/** The index lists of a room not indexed yet (shared: a field initialiser would allocate one per room). */
const NO_LISTS: readonly RankList[] = Object.freeze([]);

/**
 * A room as the store keeps it. It never changes: a write stores a new one,
 * so indexes and filters read it without a copy, and its access rules are
 * built once and shared (the permission core then encodes them once).
 *
 * @example
 * ```ts
 * const stored = new StoredRoom(room);
 * stored.matches({ userId: "alice" });
 * return stored.copy(); // the caller's own RoomData
 * ```
 */
export class StoredRoom {
  readonly id: string;
  /** `createdAt` in epoch ms (a `Date` would cost about 80 B more a room). */
  readonly createdMs: number;
  readonly lastConnectionMs: number | undefined;
  readonly organizationId: string;
  readonly defaultAccesses: readonly Permission[];
  /**
   * Users, then groups, then metadata, each as `id, value` pairs; values are
   * frozen, the array is not (it never leaves this object, and reads of a
   * frozen array made a 100 + 100 copy about 20% slower in Node 20's V8).
   */
  readonly #entries: readonly Value[];
  readonly #groupsAt: number;
  readonly #metadataAt: number;
  /**
   * The store's bookkeeping, not room data: the index lists that hold this
   * room, so a delete reaches them without a hash lookup per id (at 100k
   * rooms each lookup misses cache). Private fields stay writable on a frozen object.
   */
  #lists: readonly RankList[] = NO_LISTS;
  /** {@link StoredRoom.accessRules}, once built. */
  #rules: RoomAccessRules | undefined;

  /** Copies `room`; nothing of it is kept. */
  constructor(room: RoomData) {
    this.id = room.id;
    this.createdMs = room.createdAt.getTime();
    this.lastConnectionMs = room.lastConnectionAt?.getTime();
    this.organizationId = room.organizationId;
    this.defaultAccesses = Object.freeze([...room.defaultAccesses]);
    const users = Object.keys(room.usersAccesses);
    const groups = Object.keys(room.groupsAccesses);
    const metadata = Object.keys(room.metadata);
    const entries: Value[] = [];
    this.#groupsAt = fill(entries, users, room.usersAccesses);
    this.#metadataAt = fill(entries, groups, room.groupsAccesses);
    fill(entries, metadata, room.metadata);
    // A copy at its exact length (a pushed array keeps up to half again as spare
    // capacity) and packed: reads of a holey array check for holes.
    this.#entries = entries.slice();
    Object.freeze(this);
  }

  /**
   * The room's permissions as a deeply frozen plain object (null-prototype
   * maps, own data properties), built on first call and kept with the room:
   * what `getAccessRules` hands out, the same object for every call on this
   * room version, so the permission core can cache its encoding. Rooms never
   * entered pay nothing for it.
   */
  accessRules(): RoomEntryRules {
    return (this.#rules ??= Object.freeze({
      defaultAccesses: this.defaultAccesses,
      usersAccesses: this.#record("users"),
      groupsAccesses: this.#record("groups"),
      organizationId: this.organizationId,
    }));
  }

  /**
   * The caller's own copy in the shape `@liveblocks/node` hands out (parsed
   * JSON): fresh `Date`s and lists, maps with `Object.prototype` whose every
   * id (`__proto__` included) is an own data property.
   */
  copy(): RoomData {
    return this.#room(true);
  }

  /** A fresh copy with null-prototype maps, the shape the store's own writes and events use. */
  toRoomData(): RoomData {
    return this.#room(false);
  }

  /** The index lists that hold this room, as the store last recorded them. */
  get indexLists(): readonly RankList[] {
    return this.#lists;
  }

  /** Records the index lists that hold this room (the store's own order). */
  setIndexLists(lists: readonly RankList[]): void {
    this.#lists = lists;
  }

  /** The ids of one access map, in key order. */
  ids(part: AccessPart): string[] {
    const [from, to] = this.#bounds(part);
    const ids: string[] = [];
    for (let i = from; i < to; i += 2) ids.push(this.#entries[i] as string);
    return ids;
  }

  /** The access list of `id` in one access map, or `undefined` if it has no entry there. */
  accessOf(part: AccessPart, id: string): readonly string[] | undefined {
    const [from, to] = this.#bounds(part);
    const at = this.#find(from, to, id);
    return at < 0 ? undefined : (this.#entries[at + 1] as readonly string[]);
  }

  /** Calls `each` once with every distinct metadata value a filter can match (array elements), by key. */
  eachTerm(each: (key: string, value: string) => void): void {
    const entries = this.#entries;
    for (let i = this.#metadataAt; i < entries.length; i += 2) {
      const key = entries[i] as string;
      const value = entries[i + 1] as Value;
      if (typeof value === "string") each(key, value);
      else for (let j = 0; j < value.length; j++) if (value.indexOf(value[j] as string) === j) each(key, value[j] as string);
    }
  }

  /**
   * Does this room match `filter`? The same predicate as `matchesFilter`
   * on its `RoomData`, read from the flat entries.
   */
  matches(filter: RoomFilter): boolean {
    if (filter.roomId !== undefined && this.id !== filter.roomId) return false;
    if (filter.roomIdPrefix !== undefined && !this.id.startsWith(filter.roomIdPrefix)) return false;
    if (filter.organizationId !== undefined && this.organizationId !== filter.organizationId) return false;
    const groupIds = filter.groupIds;
    if (filter.userId !== undefined || (groupIds !== undefined && groupIds.length > 0)) {
      const byUser = filter.userId !== undefined && this.#find(0, this.#groupsAt, filter.userId) >= 0;
      if (!byUser && !(groupIds ?? []).some((groupId) => this.#find(this.#groupsAt, this.#metadataAt, groupId) >= 0)) return false;
    }
    for (const [key, expected] of filter.metadata ?? []) {
      const at = this.#find(this.#metadataAt, this.#entries.length, key);
      if (at < 0) return false;
      const value = this.#entries[at + 1] as Value;
      if (value !== expected && !(typeof value !== "string" && value.includes(expected))) return false;
    }
    return true;
  }

  /** The index of the pair whose id is `id` in `[from, to)`, or -1. */
  #find(from: number, to: number, id: string): number {
    const entries = this.#entries;
    for (let i = from; i < to; i += 2) if (entries[i] === id) return i;
    return -1;
  }

  #bounds(part: AccessPart): [number, number] {
    return part === "users" ? [0, this.#groupsAt] : [this.#groupsAt, this.#metadataAt];
  }

  /** A frozen null-prototype record of one access map, sharing the stored (frozen) lists. */
  #record(part: AccessPart): RoomAccesses {
    const [from, to] = this.#bounds(part);
    const record: Record<string, RoomPermission> = Object.create(null);
    for (let i = from; i < to; i += 2) record[this.#entries[i] as string] = this.#entries[i + 1] as RoomPermission;
    return Object.freeze(record);
  }

  #room(plain: boolean): RoomData {
    const entries = this.#entries;
    const usersAccesses = accessesOf(entries, 0, this.#groupsAt, plain);
    const groupsAccesses = accessesOf(entries, this.#groupsAt, this.#metadataAt, plain);
    const metadata = metadataOf(entries, this.#metadataAt, entries.length, plain);
    // Key order is @liveblocks/node's: lastConnectionAt, when present, follows createdAt.
    return this.lastConnectionMs === undefined
      ? {
          type: "room",
          id: this.id,
          createdAt: new Date(this.createdMs),
          organizationId: this.organizationId,
          defaultAccesses: copyArray(this.defaultAccesses),
          usersAccesses,
          groupsAccesses,
          metadata,
        }
      : {
          type: "room",
          id: this.id,
          createdAt: new Date(this.createdMs),
          lastConnectionAt: new Date(this.lastConnectionMs),
          organizationId: this.organizationId,
          defaultAccesses: copyArray(this.defaultAccesses),
          usersAccesses,
          groupsAccesses,
          metadata,
        };
  }
}

/** Appends `keys` and frozen copies of their values from `map` as pairs; returns the new length. */
function fill(entries: Value[], keys: readonly string[], map: Readonly<Record<string, Value>>): number {
  for (const key of keys) {
    const value = map[key] as Value;
    entries.push(key, typeof value === "string" ? value : Object.freeze([...value]));
  }
  return entries.length;
}

/**
 * A fresh access map of the pairs in `[from, to)`: filled without a
 * prototype, so ids never walk a hidden-class tree and `__proto__` stays an
 * ordinary own key; `plain` then gives it `Object.prototype`, as parsed JSON has.
 */
function accessesOf(entries: readonly Value[], from: number, to: number, plain: boolean): RoomAccesses {
  const map: RoomAccesses = Object.create(null);
  // Every value here is a list: no type check, so the copy stays monomorphic.
  for (let i = from; i < to; i += 2) map[entries[i] as string] = copyArray(entries[i + 1] as RoomPermission);
  return plain ? (Object.setPrototypeOf(map, Object.prototype) as RoomAccesses) : map;
}

/** A fresh metadata map of the pairs in `[from, to)`, built as {@link accessesOf} builds an access map. */
function metadataOf(entries: readonly Value[], from: number, to: number, plain: boolean): RoomMetadata {
  const map: RoomMetadata = Object.create(null);
  for (let i = from; i < to; i += 2) {
    const value = entries[i + 1] as Value;
    map[entries[i] as string] = typeof value === "string" ? value : copyArray(value);
  }
  return plain ? (Object.setPrototypeOf(map, Object.prototype) as RoomMetadata) : map;
}
