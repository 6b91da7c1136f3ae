/**
 * The default store: everything in process memory, indexed so that listing
 * by user, group, organization or metadata costs what it returns rather than
 * the number of rooms.
 */
import { RoomChangeEmitter, type RoomChangeEmitterOptions, type RoomChangeListener } from "./events.js";
import type { RoomAccessRules } from "../permissions/resolve.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { matchesFilter } from "./filter.js";
import { compareIds, compareSortKeys, type SortKey } from "./order.js";
import { applyRoomPatch, cloneRoom } from "./patch.js";
import { PLAIN_ROOM_COPIES, plainRoomCopy } from "./plain-room.js";
import { SortedChunks } from "./sorted-chunks.js";
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
export type MemoryStoreOptions = Pick<RoomChangeEmitterOptions, "onListenerError"> & {
  /** Largest chunk of an index list (default 512); tests set it small to exercise chunk splits. */
  indexChunkSize?: number;
};

/**
 * One stored room. `ms` and `id` are its sort key and never change (a patch
 * cannot touch `id` or `createdAt`), so index arrays can hold the entry and
 * see updates through `room` without being re-sorted.
 */
type Entry = { readonly ms: number; readonly id: string; room: RoomData };

/** An index: entries in (createdAt, id) order. */
type Index = SortedChunks<Entry, SortKey>;

/** Walks entries newest first; `undefined` when exhausted. */
type EntryCursor = () => Entry | undefined;

/**
 * An in-memory {@link RoomStore}: fast, not durable, one process. Every
 * operation is synchronous inside its promise, which makes each write atomic.
 *
 * Indexes: all rooms, and the rooms of each user, group, organization and
 * (metadata key, value) pair, each a {@link SortedChunks} list oldest first
 * (adding the newest room is an append; removing any room is a binary
 * search and a splice of one short chunk), plus all rooms in id order for
 * `roomIdPrefix`. A list iterates the smallest index that applies, newest
 * first from the cursor, checks the remaining conditions on each room and
 * stops one room after the page is full; `userId` OR `groupIds` merges the
 * user's and the groups' indexes. A prefix is served from the id index when
 * it matches fewer rooms than the smallest other index (its run is counted
 * only up to that size). Returned rooms are built once, directly in the
 * plain shape the facade hands out ({@link plainRoomCopy}).
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * await store.create(room);
 * const page = await store.list({ filter: { userId: "alice" }, limit: 20 });
 * ```
 */
export class MemoryStore implements RoomStore {
  /** Every room this store returns is a fresh {@link plainRoomCopy}: the facade copies none again. */
  readonly [PLAIN_ROOM_COPIES] = true;
  readonly #rooms = new Map<string, Entry>();
  readonly #newIndex: () => Index;
  readonly #all: Index;
  readonly #byId: Index;
  readonly #byUser = new Map<string, Index>();
  readonly #byGroup = new Map<string, Index>();
  readonly #byOrganization = new Map<string, Index>();
  readonly #byMetadata = new Map<string, Map<string, Index>>();
  readonly #revocations = new Map<string, number>();
  readonly #emitter: RoomChangeEmitter;
  readonly #revocationEmitter: RoomChangeEmitter<RevocationEvent>;

  constructor(options: MemoryStoreOptions = {}) {
    this.#emitter = new RoomChangeEmitter(options);
    const chunkSize = options.indexChunkSize;
    this.#newIndex = () => new SortedChunks<Entry, SortKey>(compareSortKeys, chunkSize);
    this.#all = this.#newIndex();
    this.#byId = new SortedChunks<Entry, SortKey>(compareEntryIds, chunkSize);
    this.#revocationEmitter = new RoomChangeEmitter<RevocationEvent>();
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
    return entry === undefined ? null : plainRoomCopy(entry.room);
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
    if (existing !== undefined) return { room: plainRoomCopy(existing.room), created: false };

    const ms = room.createdAt.getTime();
    // The sort key must be a number, or every comparison would be false.
    if (!Number.isFinite(ms)) throw new TypeError(`Room "${room.id}" has an invalid createdAt`);
    const stored = freezeRoom(cloneRoom(room));
    // Frozen, so assert can read it without a copy.
    options?.assert?.(stored);

    const entry: Entry = { ms, id: stored.id, room: stored };
    this.#index(entry);

    if (this.#emitter.size > 0) this.#emitter.emit({ type: "created", roomId: entry.id, room: cloneRoom(stored) });
    return { room: plainRoomCopy(stored), created: true };
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

    reindexKeys(this.#byUser, entry, before.usersAccesses, after.usersAccesses, this.#newIndex);
    reindexKeys(this.#byGroup, entry, before.groupsAccesses, after.groupsAccesses, this.#newIndex);
    this.#reindexMetadata(entry, before, after);
    entry.room = after;

    if (this.#emitter.size > 0) this.#emitter.emit({ type: "updated", roomId, room: cloneRoom(after) });
    return plainRoomCopy(after);
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
    return plainRoomCopy(moved);
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
      rooms.push(plainRoomCopy(entry.room));
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
    if (current === undefined || issuedBefore > current) this.#revocations.set(userId, issuedBefore);
    if (this.#revocationEmitter.size > 0) {
      this.#revocationEmitter.emit({ userId, issuedBefore: this.#revocations.get(userId) as number });
    }
  }

  /**
   * Calls `listener` synchronously after every `revokeTokens`, with the
   * user's stored cutoff (never below an earlier one); returns the
   * unsubscribe function. Every `Liveblocks` instance sharing this store hears it.
   *
   * @param listener Receives `{ userId, issuedBefore }`.
   */
  subscribeRevocations(listener: (event: RevocationEvent) => void): () => void {
    return this.#revocationEmitter.subscribe(listener);
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
    const sources: Source[] = [];
    const groupIds = filter.groupIds ?? [];
    if (filter.userId !== undefined || groupIds.length > 0) {
      const lists: Index[] = [];
      const userRooms = filter.userId === undefined ? undefined : this.#byUser.get(filter.userId);
      if (userRooms !== undefined) lists.push(userRooms);
      for (const groupId of new Set(groupIds)) {
        const groupRooms = this.#byGroup.get(groupId);
        if (groupRooms !== undefined) lists.push(groupRooms);
      }
      sources.push({ size: lists.reduce((sum, list) => sum + list.size, 0), lists });
    }
    if (filter.organizationId !== undefined) sources.push(sourceOf(this.#byOrganization.get(filter.organizationId)));
    for (const [key, value] of filter.metadata ?? []) sources.push(sourceOf(this.#byMetadata.get(key)?.get(value)));

    let best: Source = { size: this.#all.size, lists: [this.#all] };
    for (const source of sources) if (source.size < best.size) best = source;
    if (best.size === 0) return exhausted;
    if (filter.roomIdPrefix !== undefined && filter.roomIdPrefix !== "") {
      // The ids with this prefix are one run of the id index; use it if it is the smaller set.
      const prefixed = this.#prefixed(filter.roomIdPrefix, best.size);
      if (prefixed !== undefined) return walkArray(prefixed, after);
    }
    // Other indexes of comparable size are intersected by a merge of sorted
    // entries (cheap, sequential) instead of reading each candidate room;
    // much larger ones are left to the per-room check.
    const walks = [walkSource(best, after)];
    for (const source of sources) {
      if (source !== best && source.size <= best.size * INTERSECT_FACTOR) walks.push(walkSource(source, after));
    }
    return walks.length === 1 ? (walks[0] as EntryCursor) : intersectNewestFirst(walks);
  }

  /**
   * The rooms whose id starts with `prefix`, oldest first, or `undefined` if
   * there are at least `limit` of them (another index is then cheaper).
   */
  #prefixed(prefix: string, limit: number): Entry[] | undefined {
    const next = this.#byId.walkUp({ ms: 0, id: prefix });
    const found: Entry[] = [];
    for (let entry = next(); entry !== undefined && entry.id.startsWith(prefix); entry = next()) {
      if (found.length >= limit) return undefined;
      found.push(entry);
    }
    return found.length >= limit ? undefined : found.sort(compareSortKeys);
  }

  /** Adds a new entry to the id map and every index. */
  #index(entry: Entry): void {
    const room = entry.room;
    this.#rooms.set(entry.id, entry);
    this.#all.insert(entry);
    this.#byId.insert(entry);
    addTo(this.#byOrganization, room.organizationId, entry, this.#newIndex);
    for (const userId of Object.keys(room.usersAccesses)) addTo(this.#byUser, userId, entry, this.#newIndex);
    for (const groupId of Object.keys(room.groupsAccesses)) addTo(this.#byGroup, groupId, entry, this.#newIndex);
    for (const [key, values] of metadataTerms(room)) {
      for (const value of values) addTo(metadataIndex(this.#byMetadata, key), value, entry, this.#newIndex);
    }
  }

  /** Removes an entry from the id map and every index. */
  #unindex(entry: Entry): void {
    const room = entry.room;
    this.#rooms.delete(entry.id);
    this.#all.remove(entry);
    this.#byId.remove(entry);
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
        if (!had?.has(value)) addTo(metadataIndex(this.#byMetadata, key), value, entry, this.#newIndex);
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

function metadataIndex(byMetadata: Map<string, Map<string, Index>>, key: string): Map<string, Index> {
  let byValue = byMetadata.get(key);
  if (byValue === undefined) byMetadata.set(key, (byValue = new Map()));
  return byValue;
}

function reindexKeys(
  index: Map<string, Index>,
  entry: Entry,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  newIndex: () => Index,
): void {
  for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) removeFrom(index, key, entry);
  for (const key of Object.keys(after)) if (!Object.hasOwn(before, key)) addTo(index, key, entry, newIndex);
}

// --- Sorted indexes ---------------------------------------------------------
// Each index is sorted by (ms, id) ascending, so the usual insertion (the
// newest room) is an append; readers walk them from the end.

/** Does `entry` come after `key` in newest-first order (older, or same time and smaller id)? */
function isOlderThan(entry: SortKey, key: SortKey): boolean {
  return compareSortKeys(entry, key) < 0;
}

function compareEntryIds(a: SortKey, b: SortKey): number {
  return compareIds(a.id, b.id);
}

function addTo(index: Map<string, Index>, key: string, entry: Entry, newIndex: () => Index): void {
  let list = index.get(key);
  if (list === undefined) index.set(key, (list = newIndex()));
  list.insert(entry);
}

function removeFrom(index: Map<string, Index>, key: string, entry: Entry): void {
  const list = index.get(key);
  if (list === undefined) return;
  list.remove(entry);
  // Drop empty lists, or every user id ever seen would stay in memory.
  if (list.size === 0) index.delete(key);
}

const exhausted: EntryCursor = () => undefined;

/** Indexes of at most this many times the smallest one's size are intersected with it. */
const INTERSECT_FACTOR = 16;

/** One condition's candidates: the union of `lists`, `size` entries at most. */
type Source = { size: number; lists: Index[] };

function sourceOf(list: Index | undefined): Source {
  return list === undefined ? { size: 0, lists: [] } : { size: list.size, lists: [list] };
}

function walkSource(source: Source, after: SortKey | undefined): EntryCursor {
  const [only] = source.lists;
  return source.lists.length === 1 && only !== undefined ? only.walkDown(after) : mergeNewestFirst(source.lists, after);
}

/**
 * The entries present in every walk, newest first (a leapfrog join: each
 * walk moves past what is newer than the others' current entry).
 */
function intersectNewestFirst(walks: readonly EntryCursor[]): EntryCursor {
  const heads = walks.map((walk) => walk());
  return () => {
    for (;;) {
      let candidate = heads[0];
      if (candidate === undefined) return undefined;
      let agreed = true;
      for (let i = 1; i < walks.length; i++) {
        let head = heads[i];
        while (head !== undefined && compareSortKeys(head, candidate) > 0) head = (walks[i] as EntryCursor)();
        heads[i] = head;
        if (head === undefined) return undefined;
        if (head !== candidate) {
          agreed = false;
          candidate = head;
        }
      }
      if (agreed) {
        for (let i = 0; i < walks.length; i++) heads[i] = (walks[i] as EntryCursor)();
        return candidate;
      }
      // Move the first walk down to the oldest head seen, then try again.
      let first = heads[0];
      while (first !== undefined && compareSortKeys(first, candidate) > 0) first = (walks[0] as EntryCursor)();
      heads[0] = first;
    }
  };
}

/** Walks an oldest-first array newest first, strictly after `after`. */
function walkArray(array: readonly Entry[], after: SortKey | undefined): EntryCursor {
  let index = array.length - 1;
  if (after !== undefined) while (index >= 0 && !isOlderThan(array[index] as Entry, after)) index--;
  return () => (index >= 0 ? array[index--] : undefined);
}

/**
 * Merges several newest-first walks into one without duplicates (a room can
 * be in the user's index and in several groups' indexes). Linear in the
 * number of lists per room returned: groups per filter are few.
 */
function mergeNewestFirst(lists: readonly Index[], after: SortKey | undefined): EntryCursor {
  const walkers = lists.map((list) => list.walkDown(after));
  const heads = walkers.map((walk) => walk());
  return () => {
    let newest: Entry | undefined;
    for (const candidate of heads) {
      if (candidate !== undefined && (newest === undefined || compareSortKeys(candidate, newest) > 0)) newest = candidate;
    }
    if (newest === undefined) return undefined;
    for (let i = 0; i < heads.length; i++) if (heads[i] === newest) heads[i] = (walkers[i] as EntryCursor)();
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
