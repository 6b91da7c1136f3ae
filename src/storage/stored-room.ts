/**
 * A room as `MemoryStore` keeps it: frozen with its lists, its maps left
 * unfrozen but never written, marked for the permission core's encoding
 * cache, and for rooms with big access maps, their listings for fast copies.
 */
import { UnchangingRules } from "../permissions/encoded.js";
import type { RoomAccesses } from "../permissions/scopes.js";
import { listMap, type MapListing, plainRoomCopy } from "./plain-room.js";
import type { RoomData } from "./types.js";

/**
 * A room as the store keeps it: the fields of {@link RoomData}, in its key
 * order, on an {@link UnchangingRules}, which tells the permission core its
 * maps never change (the store writes a new object instead), so their
 * encoding can be cached without freezing them.
 */
class StoredRoom extends UnchangingRules implements RoomData {
  declare readonly type: "room";
  declare readonly id: string;
  declare readonly createdAt: Date;
  declare readonly lastConnectionAt?: Date;
  declare readonly organizationId: string;
  declare readonly defaultAccesses: RoomData["defaultAccesses"];
  declare readonly usersAccesses: RoomAccesses;
  declare readonly groupsAccesses: RoomAccesses;
  declare readonly metadata: RoomData["metadata"];

  constructor(room: RoomData) {
    super();
    const self = this as { -readonly [K in keyof RoomData]: RoomData[K] };
    self.type = "room";
    self.id = room.id;
    self.createdAt = room.createdAt;
    if (room.lastConnectionAt !== undefined) self.lastConnectionAt = room.lastConnectionAt;
    self.organizationId = room.organizationId;
    self.defaultAccesses = room.defaultAccesses;
    self.usersAccesses = room.usersAccesses;
    self.groupsAccesses = room.groupsAccesses;
    self.metadata = room.metadata;
  }
}

/**
 * A stored room with a big access map (at least {@link LISTED_MAP} ids),
 * which keeps that map's listing so that copying it costs no
 * `Object.keys` and no lookup per id: 100 users and 100 groups measured
 * 18 µs a copy without, 11 µs with. Small maps are not listed, so the rooms
 * most stores are full of pay nothing for it.
 */
class ListedStoredRoom extends StoredRoom {
  readonly #users: MapListing | undefined;
  readonly #groups: MapListing | undefined;

  constructor(room: RoomData, users: MapListing | undefined, groups: MapListing | undefined) {
    super(room);
    this.#users = users;
    this.#groups = groups;
  }

  /** The caller's own plain copy. */
  copy(): RoomData {
    return plainRoomCopy(this, this.#users, this.#groups);
  }
}

/** Access maps with at least this many ids are listed beside the stored room. */
const LISTED_MAP = 16;

/**
 * The caller's own plain copy of a room this module stored.
 *
 * @example
 * ```ts
 * return room === undefined ? null : copyOf(room);
 * ```
 */
export function copyOf(room: RoomData): RoomData {
  return room instanceof ListedStoredRoom ? room.copy() : plainRoomCopy(room);
}

/**
 * Seals a fresh copy of a room for the store: the room and its lists are
 * frozen, so aliasing bugs throw instead of corrupting it; its three maps
 * are not (a frozen dictionary-mode object costs a hidden class of its own,
 * 72 B a map) and nothing writes to them. `room` must be the store's own
 * copy: its maps and lists become the stored room's.
 *
 * @example
 * ```ts
 * const stored = freezeRoom(cloneRoom(room));
 * ```
 */
export function freezeRoom(room: RoomData): RoomData {
  Object.freeze(room.defaultAccesses);
  for (const map of [room.usersAccesses, room.groupsAccesses, room.metadata]) {
    for (const key of Object.keys(map)) {
      const value = map[key];
      if (Array.isArray(value)) Object.freeze(value);
    }
  }
  const users = listingIfBig(room.usersAccesses);
  const groups = listingIfBig(room.groupsAccesses);
  const stored = users === undefined && groups === undefined ? new StoredRoom(room) : new ListedStoredRoom(room, users, groups);
  return Object.freeze(stored);
}

/** The listing of an access map of at least {@link LISTED_MAP} ids; `undefined` for a smaller one. */
function listingIfBig(accesses: RoomAccesses): MapListing | undefined {
  return Object.keys(accesses).length < LISTED_MAP ? undefined : listMap(accesses);
}
