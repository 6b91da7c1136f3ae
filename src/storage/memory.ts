/**
 * The default store: everything in process memory, indexed so that listing
 * by user, group, organization or metadata costs what it returns rather than
 * the number of rooms.
 */
import { type RevocationEmitter, RoomChangeEmitter, type RoomChangeEmitterOptions, type RoomChangeListener } from "./events.js";
import type { RoomAccessRules } from "../permissions/resolve.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { matchesFilter } from "./filter.js";
import { compareSortKeys, type SortKey } from "./order.js";
import { applyRoomPatch, cloneRoom } from "./patch.js";
import {
  type RevocationEvent,
  type RoomData,
  type RoomFilter,
  type RoomListPage,
  type RoomListQuery,
  type RoomPatch,
  type RoomStore,
  type StoreReadOptions,
  type StoreWriteOptions,
} from "./types.js";

/**
 * Options of {@link MemoryStore}.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ onListenerError: (err) => log.error(err) });
 * ```
 */
export type MemoryStoreOptions = Pick<RoomChangeEmitterOptions, "onListenerError">;

/**
 * One stored room. `ms` and `id` are its sort key and never change (a patch
 * cannot touch `id` or `createdAt`), so index arrays can hold the entry and
 * see updates through `room` without being re-sorted.
 */
type Entry = { readonly ms: number; readonly id: string; room: RoomData };

/** Walks entries newest first; `undefined` when exhausted. */
type EntryCursor = () => Entry | undefined;

/**
 * An in-memory {@link RoomStore}: fast, not durable, one process. Every
 * operation is synchronous inside its promise, which makes each write atomic.
 *
 * Indexes: all rooms, and the rooms of each user, group, organization and
 * (metadata key, value) pair, each an array sorted oldest first. Rooms are
 * usually created in increasing time, so adding one is a `push`; removing
 * one is a binary search and a `splice` (a memmove of that index). A list
 * iterates the smallest index that applies, newest first from the cursor,
 * checks the remaining conditions on each room and stops one room after the
 * page is full; `userId` OR `groupIds` merges the user's and the groups'
 * indexes. A `roomIdPrefix` alone scans all rooms.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * await store.create(room);
 * const page = await store.list({ filter: { userId: "alice" }, limit: 20 });
 * ```
 */
export class MemoryStore implements RoomStore {
  readonly #rooms = new Map<string, Entry>();
  readonly #all: Entry[] = [];
  readonly #byUser = new Map<string, Entry[]>();
  readonly #byGroup = new Map<string, Entry[]>();
  readonly #byOrganization = new Map<string, Entry[]>();
  readonly #byMetadata = new Map<string, Map<string, Entry[]>>();
  readonly #revocations = new Map<string, number>();
  readonly #emitter: RoomChangeEmitter;
  readonly #revocationListeners: RevocationEmitter = new RoomChangeEmitter();

  constructor(options: MemoryStoreOptions = {}) {
    this.#emitter = new RoomChangeEmitter(options);
  }

  /**
   * The room, or `null` if there is none with this id.
   *
   * @param roomId The exact room id.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async get(roomId: string, options?: StoreReadOptions): Promise<RoomData | null> {
    options?.signal?.throwIfAborted();
    const entry = this.#rooms.get(roomId);
    return entry === undefined ? null : cloneRoom(entry.room);
  }

  /**
   * The stored room itself, without a copy: it is deeply frozen, so sharing
   * it is safe, and room entry costs no allocation proportional to the room.
   *
   * @param roomId The exact room id.
   * @param _subject Unused: the whole (frozen) room is at hand anyway.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async getAccessRules(
    roomId: string,
    _subject: { userId: string; groupIds: readonly string[] },
    options?: StoreReadOptions,
  ): Promise<RoomAccessRules | null> {
    options?.signal?.throwIfAborted();
    return this.#rooms.get(roomId)?.room ?? null;
  }

  /**
   * Stores a copy of `room` unless one with its id exists.
   *
   * @param room The complete room, as the facade built it.
   * @param options.assert Runs on the room to be stored; if it throws, nothing is stored.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async create(room: RoomData, options?: StoreWriteOptions): Promise<{ room: RoomData; created: boolean }> {
    options?.signal?.throwIfAborted();
    const existing = this.#rooms.get(room.id);
    if (existing !== undefined) return { room: cloneRoom(existing.room), created: false };

    const ms = room.createdAt.getTime();
    // The sort key must be a number, or every comparison would be false.
    if (!Number.isFinite(ms)) throw new TypeError(`Room "${room.id}" has an invalid createdAt`);
    const stored = freezeRoom(cloneRoom(room));
    // Frozen, so assert can read it without a copy.
    options?.assert?.(stored);

    const entry: Entry = { ms, id: stored.id, room: stored };
    this.#index(entry);

    if (this.#emitter.size > 0) this.#emitter.emit({ type: "created", roomId: entry.id, room: cloneRoom(stored) });
    return { room: cloneRoom(stored), created: true };
  }

  /**
   * Applies `patch` (see {@link applyRoomPatch}); `null` if the room does not exist.
   *
   * @param roomId The exact room id.
   * @param patch The validated change.
   * @param options.assert Runs on the patched room; if it throws, nothing changes.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async update(roomId: string, patch: RoomPatch, options?: StoreWriteOptions): Promise<RoomData | null> {
    options?.signal?.throwIfAborted();
    const entry = this.#rooms.get(roomId);
    if (entry === undefined) return null;
    const before = entry.room;
    const after = freezeRoom(applyRoomPatch(before, patch));
    options?.assert?.(after);

    reindexKeys(this.#byUser, entry, before.usersAccesses, after.usersAccesses);
    reindexKeys(this.#byGroup, entry, before.groupsAccesses, after.groupsAccesses);
    this.#reindexMetadata(entry, before, after);
    entry.room = after;

    if (this.#emitter.size > 0) this.#emitter.emit({ type: "updated", roomId, room: cloneRoom(after) });
    return cloneRoom(after);
  }

  /**
   * Moves the room to `newRoomId`, keeping everything else; re-indexes it
   * under its new sort key.
   *
   * @param roomId The exact room id.
   * @param newRoomId The id it moves to; must be free.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async rename(roomId: string, newRoomId: string, options?: StoreWriteOptions): Promise<RoomData | "not-found" | "exists"> {
    options?.signal?.throwIfAborted();
    const entry = this.#rooms.get(roomId);
    if (entry === undefined) return "not-found";
    if (this.#rooms.has(newRoomId)) return "exists";
    const moved = freezeRoom({ ...cloneRoom(entry.room), id: newRoomId });
    options?.assert?.(moved);
    this.#unindex(entry);
    this.#index({ ms: entry.ms, id: newRoomId, room: moved });
    this.#emitter.emit({ type: "deleted", roomId, room: null });
    if (this.#emitter.size > 0) this.#emitter.emit({ type: "created", roomId: newRoomId, room: cloneRoom(moved) });
    return cloneRoom(moved);
  }

  /**
   * Deletes the room; `false` if it did not exist.
   *
   * @param roomId The exact room id.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async delete(roomId: string, options?: StoreWriteOptions): Promise<boolean> {
    options?.signal?.throwIfAborted();
    const entry = this.#rooms.get(roomId);
    if (entry === undefined) return false;
    this.#unindex(entry);
    this.#emitter.emit({ type: "deleted", roomId, room: null });
    return true;
  }

  /**
   * One page of rooms matching `query.filter`, newest first (`createdAt`
   * descending, then id descending).
   *
   * @param query The filter, the page size and the previous page's `nextCursor`.
   * @param options.signal Rejects with its reason if already aborted.
   * @throws {InvalidCursorError} if `query.cursor` is not a cursor this store issued.
   */
  async list(query: RoomListQuery, options?: StoreReadOptions): Promise<RoomListPage> {
    options?.signal?.throwIfAborted();
    const { filter, limit } = query;
    // The facade validates 1..100; a 0 here would loop on empty pages.
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Invalid limit: ${limit}`);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const next = this.#candidates(filter, after);
    const rooms: RoomData[] = [];
    let last: Entry | undefined;
    for (let entry = next(); entry !== undefined; entry = next()) {
      if (!matchesFilter(entry.room, filter)) continue;
      // One match beyond the page proves there is a next page.
      if (rooms.length === limit) return { rooms, nextCursor: encodeCursor(last as Entry) };
      rooms.push(cloneRoom(entry.room));
      last = entry;
    }
    return { rooms, nextCursor: null };
  }

  /**
   * Records that tokens of `userId` issued before `issuedBefore` (epoch ms)
   * are revoked; an earlier cutoff than the stored one changes nothing.
   *
   * @param userId The exact user id.
   * @param issuedBefore Epoch milliseconds.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async revokeTokens(userId: string, issuedBefore: number, options?: StoreWriteOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    const current = this.#revocations.get(userId);
    const cutoff = current === undefined || issuedBefore > current ? issuedBefore : current;
    this.#revocations.set(userId, cutoff);
    if (this.#revocationListeners.size > 0) this.#revocationListeners.emit({ userId, issuedBefore: cutoff });
  }

  /**
   * Calls `listener` synchronously after every `revokeTokens`, with the
   * cutoff as stored, before the write's promise resolves: every `Liveblocks`
   * instance sharing this store hears each other's revocations.
   *
   * @param listener Receives the user id and the cutoff.
   */
  subscribeRevocations(listener: (event: RevocationEvent) => void): () => void {
    return this.#revocationListeners.subscribe(listener);
  }

  /**
   * The revocation cutoff of `userId` (epoch ms), or `null`.
   *
   * @param userId The exact user id.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async getRevocation(userId: string, options?: StoreReadOptions): Promise<number | null> {
    options?.signal?.throwIfAborted();
    return this.#revocations.get(userId) ?? null;
  }

  /**
   * Calls `listener` synchronously after every create, update and delete,
   * before the write's promise resolves; returns the unsubscribe function.
   *
   * @param listener Receives the event; its `room` is a copy shared by all listeners of that event.
   */
  subscribe(listener: RoomChangeListener): () => void {
    return this.#emitter.subscribe(listener);
  }

  /** Nothing to release; present so callers can close any store the same way. */
  async close(): Promise<void> {}

  /** The newest-first candidates for `filter`, from the narrowest index. */
  #candidates(filter: RoomFilter, after: SortKey | undefined): EntryCursor {
    if (filter.roomId !== undefined) {
      const entry = this.#rooms.get(filter.roomId);
      if (entry === undefined || (after !== undefined && !isOlderThan(entry, after))) return exhausted;
      let pending: Entry | undefined = entry;
      return () => {
        const next = pending;
        pending = undefined;
        return next;
      };
    }

    // Each applicable index, with its size as the cost of walking it.
    const sources: { size: number; arrays: Entry[][] }[] = [];
    const groupIds = filter.groupIds ?? [];
    if (filter.userId !== undefined || groupIds.length > 0) {
      const arrays: Entry[][] = [];
      const userRooms = filter.userId === undefined ? undefined : this.#byUser.get(filter.userId);
      if (userRooms !== undefined) arrays.push(userRooms);
      for (const groupId of new Set(groupIds)) {
        const groupRooms = this.#byGroup.get(groupId);
        if (groupRooms !== undefined) arrays.push(groupRooms);
      }
      sources.push({ size: arrays.reduce((sum, array) => sum + array.length, 0), arrays });
    }
    if (filter.organizationId !== undefined) {
      const rooms = this.#byOrganization.get(filter.organizationId) ?? [];
      sources.push({ size: rooms.length, arrays: [rooms] });
    }
    for (const [key, value] of filter.metadata ?? []) {
      const rooms = this.#byMetadata.get(key)?.get(value) ?? [];
      sources.push({ size: rooms.length, arrays: [rooms] });
    }

    let best: { size: number; arrays: Entry[][] } = { size: this.#all.length, arrays: [this.#all] };
    for (const source of sources) if (source.size < best.size) best = source;
    if (best.size === 0) return exhausted;
    const [only] = best.arrays;
    return best.arrays.length === 1 && only !== undefined ? walkNewestFirst(only, after) : mergeNewestFirst(best.arrays, after);
  }

  /** Adds a new entry to the id map and every index. */
  #index(entry: Entry): void {
    const room = entry.room;
    this.#rooms.set(entry.id, entry);
    insertSorted(this.#all, entry);
    addTo(this.#byOrganization, room.organizationId, entry);
    for (const userId of Object.keys(room.usersAccesses)) addTo(this.#byUser, userId, entry);
    for (const groupId of Object.keys(room.groupsAccesses)) addTo(this.#byGroup, groupId, entry);
    for (const [key, values] of metadataTerms(room)) {
      for (const value of values) addTo(metadataIndex(this.#byMetadata, key), value, entry);
    }
  }

  /** Removes an entry from the id map and every index. */
  #unindex(entry: Entry): void {
    const room = entry.room;
    this.#rooms.delete(entry.id);
    removeSorted(this.#all, entry);
    removeFrom(this.#byOrganization, room.organizationId, entry);
    for (const userId of Object.keys(room.usersAccesses)) removeFrom(this.#byUser, userId, entry);
    for (const groupId of Object.keys(room.groupsAccesses)) removeFrom(this.#byGroup, groupId, entry);
    for (const [key, values] of metadataTerms(room)) {
      for (const value of values) this.#removeMetadata(key, value, entry);
    }
  }

  #reindexMetadata(entry: Entry, before: RoomData, after: RoomData): void {
    const old = metadataTerms(before);
    const current = metadataTerms(after);
    for (const [key, values] of old) {
      const kept = current.get(key);
      for (const value of values) if (!kept?.has(value)) this.#removeMetadata(key, value, entry);
    }
    for (const [key, values] of current) {
      const had = old.get(key);
      for (const value of values) {
        if (!had?.has(value)) addTo(metadataIndex(this.#byMetadata, key), value, entry);
      }
    }
  }

  #removeMetadata(key: string, value: string, entry: Entry): void {
    const byValue = this.#byMetadata.get(key);
    if (byValue === undefined) return;
    removeFrom(byValue, value, entry);
    if (byValue.size === 0) this.#byMetadata.delete(key);
  }
}

/** For each metadata key, the distinct values a filter can match (array elements). */
function metadataTerms(room: RoomData): Map<string, Set<string>> {
  const terms = new Map<string, Set<string>>();
  for (const key of Object.keys(room.metadata)) {
    const value = room.metadata[key] as string | string[];
    terms.set(key, new Set(typeof value === "string" ? [value] : value));
  }
  return terms;
}

function metadataIndex(byMetadata: Map<string, Map<string, Entry[]>>, key: string): Map<string, Entry[]> {
  let byValue = byMetadata.get(key);
  if (byValue === undefined) byMetadata.set(key, (byValue = new Map()));
  return byValue;
}

function reindexKeys(index: Map<string, Entry[]>, entry: Entry, before: Record<string, unknown>, after: Record<string, unknown>): void {
  for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) removeFrom(index, key, entry);
  for (const key of Object.keys(after)) if (!Object.hasOwn(before, key)) addTo(index, key, entry);
}

// --- Sorted indexes ---------------------------------------------------------
// Arrays are sorted by (ms, id) ascending, so the usual insertion (the newest
// room) is a push; readers walk them from the end.

/** Does `entry` come after `key` in newest-first order (older, or same time and smaller id)? */
function isOlderThan(entry: SortKey, key: SortKey): boolean {
  return compareSortKeys(entry, key) < 0;
}

/** The first index whose key is `>= key`. */
function lowerBound(array: readonly Entry[], key: SortKey): number {
  let low = 0;
  let high = array.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareSortKeys(array[mid] as Entry, key) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

function insertSorted(array: Entry[], entry: Entry): void {
  const last = array[array.length - 1];
  if (last === undefined || compareSortKeys(last, entry) < 0) array.push(entry);
  else array.splice(lowerBound(array, entry), 0, entry);
}

function removeSorted(array: Entry[], entry: Entry): void {
  const index = lowerBound(array, entry);
  if (array[index] === entry) array.splice(index, 1);
}

function addTo(index: Map<string, Entry[]>, key: string, entry: Entry): void {
  const array = index.get(key);
  if (array === undefined) index.set(key, [entry]);
  else insertSorted(array, entry);
}

function removeFrom(index: Map<string, Entry[]>, key: string, entry: Entry): void {
  const array = index.get(key);
  if (array === undefined) return;
  removeSorted(array, entry);
  // Drop empty arrays, or every user id ever seen would stay in memory.
  if (array.length === 0) index.delete(key);
}

const exhausted: EntryCursor = () => undefined;

function walkNewestFirst(array: readonly Entry[], after: SortKey | undefined): EntryCursor {
  let index = (after === undefined ? array.length : lowerBound(array, after)) - 1;
  return () => (index >= 0 ? array[index--] : undefined);
}

/**
 * Merges several newest-first walks into one without duplicates (a room can
 * be in the user's index and in several groups' indexes). Linear in the
 * number of arrays per room returned: groups per filter are few.
 */
function mergeNewestFirst(arrays: readonly Entry[][], after: SortKey | undefined): EntryCursor {
  const heads = arrays.map((array) => (after === undefined ? array.length : lowerBound(array, after)) - 1);
  return () => {
    let newest: Entry | undefined;
    for (let i = 0; i < arrays.length; i++) {
      const head = heads[i] as number;
      if (head < 0) continue;
      const candidate = (arrays[i] as Entry[])[head] as Entry;
      if (newest === undefined || compareSortKeys(candidate, newest) > 0) newest = candidate;
    }
    if (newest === undefined) return undefined;
    for (let i = 0; i < arrays.length; i++) {
      const head = heads[i] as number;
      if (head >= 0 && (arrays[i] as Entry[])[head] === newest) heads[i] = head - 1;
    }
    return newest;
  };
}

// --- Stored rooms -----------------------------------------------------------

/** Freezes a room the store keeps, so aliasing bugs throw instead of corrupting it. */
function freezeRoom(room: RoomData): RoomData {
  Object.freeze(room.defaultAccesses);
  for (const map of [room.usersAccesses, room.groupsAccesses, room.metadata]) {
    for (const key of Object.keys(map)) {
      const value = map[key];
      if (Array.isArray(value)) Object.freeze(value);
    }
    Object.freeze(map);
  }
  return Object.freeze(room);
}
