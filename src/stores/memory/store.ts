/**
 * The default store: everything in process memory, indexed so that listing
 * by user, group, organization or metadata costs what it returns rather than
 * the number of rooms.
 */
import { RoomChangeEmitter, type RoomChangeEmitterOptions, type RoomChangeListener } from "../../rooms/emitter.js";
import type { RoomAccessRules } from "../../permissions/rules.js";
import type { RoomEntryRules } from "../../rooms/types.js";
import { assertPageLimit, decodeCursor, encodeCursor } from "../../rooms/cursor.js";
import { compareIds } from "../../rooms/order.js";
import { applyRoomPatch } from "../../rooms/patch.js";
import { PLAIN_ROOM_COPIES } from "../../rooms/copies.js";
import { SortedChunks } from "./sorted-chunks.js";
import { type AccessPart, StoredRoom } from "./stored-room.js";
import { RankList } from "./rank-list.js";
import { candidates, keyOf, type RoomIndexes } from "./planner.js";
import { RoomTimeline } from "./timeline.js";
import { MemoryGroups } from "./groups.js";
import { listAccessible, type PublicRooms, publicKeys } from "./accessible.js";
import { type JournalEntry, roomChanges } from "../../rooms/journal.js";
import { type JournalBody, JournalWriters, stampEntry, writeActor } from "../../rooms/journal-writers.js";
import { type AuditOption, type AuditPage, type AuditQuery, auditSettings } from "../../rooms/audit.js";
import { MemoryAuditLog } from "./audit.js";
import {
  type GroupData,
  type GroupListPage,
  type GroupListQuery,
  type GroupWriteOptions,
  type RevocationEvent,
  type RoomData,
  type AccessibleListQuery,
  type RoomListPage,
  type RoomListQuery,
  type RoomPatch,
  type RoomStore,
  type StoreReadOptions,
  type StoreWriteOptions,
} from "../../rooms/types.js";

/** Options of {@link MemoryStore}. */
export type MemoryStoreOptions = Pick<RoomChangeEmitterOptions, "onListenerError"> & {
  /** Largest chunk of an index list (default 512); tests set it small to exercise chunk splits. */
  indexChunkSize?: number;
  /** The clock of journal entries (epoch ms). Default `Date.now`. */
  now?: () => number;
  /**
   * The audit trail: on by default, a ring of the newest `maxEntries`
   * (default 10,000) entries, older than `maxAgeMs` skipped; `false` turns it off.
   */
  audit?: AuditOption;
};

/**
 * A writer the memory store calls with each journal entry, synchronously
 * inside the write's atomic section and before the write changes anything:
 * if it throws, the write is refused (writers called before it keep what
 * they took; the audit trail is called last).
 */
export type MemoryJournalWriter = (entry: JournalEntry) => void;

/**
 * An in-memory {@link RoomStore}: fast, not durable, one process. Every
 * operation is synchronous inside its promise, which makes each write atomic.
 * Rooms are kept as {@link StoredRoom}s: frozen, their maps as one flat
 * array of pairs, with references to the index lists that hold them (about
 * 900 B a room with 5 users, 2 groups and 2 metadata keys, where the same
 * `RoomData` in a `Map` takes 1,150 B).
 *
 * Indexes: a {@link RoomTimeline} of all rooms in listing order; for each
 * user, group, organization and (metadata key, value) pair a
 * {@link RankList} of its rooms' ranks (creation times made unique), kept
 * as contiguous numbers so that walks and intersections do not chase a
 * pointer per room (adding the newest room is an append; a delete forgets
 * its rank, which readers skip until the list drops forgotten ranks in one
 * pass); and all room ids in order for `roomIdPrefix`, from which deleted
 * ids are dropped lazily. A list walks the candidates the planner draws
 * from them (`planner.ts`), checks every condition on each room and stops
 * one room after the page is full. Returned rooms are built once, directly
 * in the plain shape the facade hands out (`StoredRoom.copy`).
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * await store.create(room);
 * const page = await store.list({ filter: { userId: "alice" }, limit: 20 });
 * ```
 */
export class MemoryStore implements RoomStore {
  /** Every room this store returns is a fresh plain copy (`StoredRoom.copy`): the facade copies none again. */
  readonly [PLAIN_ROOM_COPIES] = true;
  readonly #rooms = new Map<string, StoredRoom>();
  readonly #chunkSize: number | undefined;
  readonly #timeline: RoomTimeline<StoredRoom>;
  #byId: SortedChunks<string>;
  /** Ids in `#byId` whose room is gone (deletes leave them for the next compaction). */
  #staleIds = 0;
  readonly #byUser = new Map<string, RankList>();
  readonly #byGroup = new Map<string, RankList>();
  readonly #byOrganization = new Map<string, RankList>();
  readonly #byMetadata = new Map<string, Map<string, RankList>>();
  /** Rooms whose default is not empty, for `listAccessible`. */
  readonly #publicRooms: PublicRooms = new Map();
  readonly #revocations = new Map<string, number>();
  readonly #groups: MemoryGroups;
  readonly #writers = new JournalWriters<MemoryJournalWriter>();
  readonly #now: () => number;
  readonly #audit: MemoryAuditLog | null;
  readonly #emitter: RoomChangeEmitter;
  readonly #revocationEmitter: RoomChangeEmitter<RevocationEvent>;

  constructor(options: MemoryStoreOptions = {}) {
    this.#emitter = new RoomChangeEmitter(options);
    this.#chunkSize = options.indexChunkSize;
    this.#timeline = new RoomTimeline<StoredRoom>(this.#chunkSize);
    this.#byId = new SortedChunks<string>(compareIds, this.#chunkSize);
    this.#revocationEmitter = new RoomChangeEmitter<RevocationEvent>();
    this.#now = options.now ?? Date.now;
    this.#groups = new MemoryGroups((body, options) => this.#journal(body, options));
    const audit = auditSettings(options.audit);
    this.#audit = audit.enabled ? new MemoryAuditLog(audit, this.#now) : null;
  }

  /**
   * Adds a writer called with every journal entry, inside the write (the
   * audit trail is one, a webhook outbox another). For integrations.
   * @internal
   *
   * @returns The function that removes it.
   */
  registerJournalWriter(writer: MemoryJournalWriter): () => void {
    return this.#writers.add(writer);
  }

  /**
   * The room, or `null` if there is none with this id.
   *
   * @param roomId The exact room id.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async get(roomId: string, options?: StoreReadOptions): Promise<RoomData | null> {
    options?.signal?.throwIfAborted();
    const room = this.#rooms.get(roomId);
    return room === undefined ? null : room.copy();
  }

  /**
   * The room's permissions as one deeply frozen object per room version,
   * built on the room's first entry and kept with it (a write stores a new
   * room), so sharing it is safe, later entries cost no allocation, and the
   * permission core encodes it once.
   *
   * @param roomId The exact room id.
   * @param _subject Unused: the room's whole rules are at hand anyway.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async getAccessRules(
    roomId: string,
    _subject: { userId: string; groupIds: readonly string[] },
    options?: StoreReadOptions,
  ): Promise<RoomEntryRules | null> {
    options?.signal?.throwIfAborted();
    return this.#rooms.get(roomId)?.accessRules() ?? null;
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
    if (existing !== undefined) return { room: existing.copy(), created: false };

    // The sort key must be a number, or every comparison would be false.
    if (!Number.isFinite(room.createdAt.getTime())) throw new TypeError(`Room "${room.id}" has an invalid createdAt`);
    // The stored room is a copy with the same entries, so assert reads the input.
    options?.assert?.(room);
    const stored = new StoredRoom(room);
    if (this.#journaling) this.#journal({ type: "roomCreated", roomId: stored.id, room: stored.toRoomData() }, options);

    this.#index(stored);
    if (this.#emitter.size > 0) this.#emitter.emit({ type: "created", roomId: stored.id, room: stored.toRoomData() });
    return { room: stored.copy(), created: true };
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
    const before = this.#rooms.get(roomId);
    if (before === undefined) return null;
    const patched = applyRoomPatch(before.toRoomData(), patch);
    options?.assert?.(patched);
    if (this.#journaling) {
      const changes = roomChanges(before.toRoomData(), patched);
      // A patch that changes nothing journals nothing (see journal-writers.ts).
      if (changes !== null) this.#journal({ type: "roomUpdated", roomId, changes }, options);
    }
    const after = new StoredRoom(patched);

    const rank = this.#timeline.replace(before, after, before.createdMs);
    for (const part of ACCESS_PARTS) reindexKeys(this.#accessIndex(part), rank, before.ids(part), after.ids(part), this.#chunkSize);
    this.#reindexMetadata(rank, before, after);
    reindexKeys(this.#publicRooms, rank, publicKeys(before), publicKeys(after), this.#chunkSize);
    after.setIndexLists(this.#listsOf(after));
    this.#rooms.set(roomId, after);

    if (this.#emitter.size > 0) this.#emitter.emit({ type: "updated", roomId, room: after.toRoomData() });
    return after.copy();
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
    const room = this.#rooms.get(roomId);
    if (room === undefined) return "not-found";
    if (this.#rooms.has(newRoomId)) return "exists";
    const data = { ...room.toRoomData(), id: newRoomId };
    options?.assert?.(data);
    if (this.#journaling) this.#journal({ type: "roomIdUpdated", roomId, newRoomId }, options);
    const moved = new StoredRoom(data);
    this.#unindex(room);
    this.#index(moved);
    this.#emitter.emit({ type: "deleted", roomId, room: null });
    if (this.#emitter.size > 0) this.#emitter.emit({ type: "created", roomId: newRoomId, room: moved.toRoomData() });
    return moved.copy();
  }

  /**
   * Deletes the room; `false` if it did not exist.
   *
   * @param roomId The exact room id.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async delete(roomId: string, options?: StoreWriteOptions): Promise<boolean> {
    options?.signal?.throwIfAborted();
    const room = this.#rooms.get(roomId);
    if (room === undefined) return false;
    if (this.#journaling) this.#journal({ type: "roomDeleted", roomId }, options);
    this.#unindex(room);
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
    // The facade validates it against its limits; a 0 here would loop on empty pages.
    assertPageLimit(limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const next = candidates(this.#indexes(), filter, after);
    const rooms: RoomData[] = [];
    let last: StoredRoom | undefined;
    for (let room = next(); room !== undefined; room = next()) {
      if (!room.matches(filter)) continue;
      // One match beyond the page proves there is a next page.
      if (rooms.length === limit) return { rooms, nextCursor: encodeCursor(keyOf(last as StoredRoom)) };
      rooms.push(room.copy());
      last = room;
    }
    return { rooms, nextCursor: null };
  }

  /**
   * One page of the rooms matching `query.filter` that `query.accessibleBy`
   * may enter, newest first (see `accessible.ts`).
   *
   * @param query The filter, the identity, the page size and the previous page's `nextCursor`.
   * @param options.signal Rejects with its reason if already aborted.
   * @throws {InvalidCursorError} if `query.cursor` is not a cursor this store issued.
   */
  async listAccessible(query: AccessibleListQuery, options?: StoreReadOptions): Promise<RoomListPage> {
    options?.signal?.throwIfAborted();
    assertPageLimit(query.limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    return listAccessible(this.#indexes(), this.#publicRooms, query, after);
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
    if (!Number.isSafeInteger(issuedBefore)) throw new TypeError("issuedBefore must be an integer of epoch milliseconds");
    const current = this.#revocations.get(userId);
    if (current === undefined || issuedBefore > current) {
      if (this.#journaling) this.#journal({ type: "tokensRevoked", userId, issuedBefore }, options);
      this.#revocations.set(userId, issuedBefore);
    }
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
   * Removes the revocation cutoff of `userId`, if any.
   *
   * @param userId The exact user id.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async clearRevocation(userId: string, options?: StoreWriteOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    if (!this.#revocations.has(userId)) return;
    if (this.#journaling) this.#journal({ type: "tokenRevocationCleared", userId }, options);
    this.#revocations.delete(userId);
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

  /* --- Groups (see `GroupStore`) -------------------------------------------- */

  /** Stores `group` unless one with its id exists. */
  async createGroup(group: GroupData, options?: GroupWriteOptions): Promise<{ group: GroupData; created: boolean }> {
    return this.#groups.createGroup(group, options);
  }

  /** The group, or `null`. */
  async getGroup(groupId: string, options?: StoreReadOptions): Promise<GroupData | null> {
    return this.#groups.getGroup(groupId, options);
  }

  /** Deletes the group and its memberships; `false` if it did not exist. */
  async deleteGroup(groupId: string, options?: StoreWriteOptions): Promise<boolean> {
    return this.#groups.deleteGroup(groupId, options);
  }

  /** Adds the members not in the group yet; `null` if there is no such group. */
  async addGroupMembers(groupId: string, memberIds: readonly string[], at: Date, options?: GroupWriteOptions): Promise<GroupData | null> {
    return this.#groups.addGroupMembers(groupId, memberIds, at, options);
  }

  /** Removes the members listed; `null` if there is no such group. */
  async removeGroupMembers(
    groupId: string,
    memberIds: readonly string[],
    at: Date,
    options?: StoreWriteOptions,
  ): Promise<GroupData | null> {
    return this.#groups.removeGroupMembers(groupId, memberIds, at, options);
  }

  /** One page of groups, by id. */
  async listGroups(query: GroupListQuery, options?: StoreReadOptions): Promise<GroupListPage> {
    return this.#groups.listGroups(query, options);
  }

  /**
   * One page of the audit trail, newest first (see `getAuditLog` of the
   * facade); empty when the store was made with `audit: false`.
   *
   * @param query The filters, the page size and the previous page's `nextCursor`.
   * @param options.signal Rejects with its reason if already aborted.
   */
  async getAuditLog(query: AuditQuery, options?: StoreReadOptions): Promise<AuditPage> {
    if (this.#audit === null) {
      options?.signal?.throwIfAborted();
      return { entries: [], nextCursor: null };
    }
    return this.#audit.getAuditLog(query, options);
  }

  /** Nothing to release; present so callers can close any store the same way. */
  async close(): Promise<void> {}

  /** Is there anyone to hand journal entries to? No entry is built otherwise. */
  get #journaling(): boolean {
    return this.#audit !== null || this.#writers.active;
  }

  /**
   * Hands the entry of a write to every journal writer, synchronously,
   * before the write changes anything: the atomic section of this store.
   */
  #journal(body: JournalBody, options: { actor?: string } | undefined): void {
    if (!this.#journaling) return;
    const entry = stampEntry(body, writeActor(options), this.#now);
    for (const write of this.#writers.list) write(entry);
    // Last: nothing here rolls back, so a writer that refuses the write leaves no audit entry.
    this.#audit?.append(entry);
  }

  /** The indexes as the planner reads them. */
  #indexes(): RoomIndexes {
    return {
      rooms: this.#rooms,
      timeline: this.#timeline,
      byId: this.#byId,
      byUser: this.#byUser,
      byGroup: this.#byGroup,
      byOrganization: this.#byOrganization,
      byMetadata: this.#byMetadata,
    };
  }

  /** The per-id index of one access map. */
  #accessIndex(part: AccessPart): Map<string, RankList> {
    return part === "users" ? this.#byUser : this.#byGroup;
  }

  /** Adds a new room to the id map and every index. */
  #index(room: StoredRoom): void {
    const size = this.#chunkSize;
    this.#rooms.set(room.id, room);
    const rank = this.#timeline.insert(room, room.createdMs);
    // A deleted id may still be in the id index; it is then live again.
    if (this.#staleIds > 0 && this.#byId.includes(room.id)) this.#staleIds--;
    else this.#byId.insert(room.id);
    const lists: RankList[] = [];
    this.#eachKey(room, (index, key) => lists.push(addTo(index, key, rank, size)));
    // A copy at its exact length: a pushed array keeps spare capacity.
    room.setIndexLists(lists.slice());
  }

  /**
   * Calls `visit` with each index and key that hold `room`, always in the
   * same order (organization, users, groups, metadata terms): the order of
   * the room's recorded index lists.
   */
  #eachKey(room: StoredRoom, visit: (index: Map<string, RankList>, key: string) => void): void {
    visit(this.#byOrganization, room.organizationId);
    for (const userId of room.ids("users")) visit(this.#byUser, userId);
    for (const groupId of room.ids("groups")) visit(this.#byGroup, groupId);
    room.eachTerm((key, value) => visit(metadataIndex(this.#byMetadata, key), value));
    for (const key of publicKeys(room)) visit(this.#publicRooms, key);
  }

  /** Looks up the index lists of a room already in every index. */
  #listsOf(room: StoredRoom): RankList[] {
    const lists: RankList[] = [];
    this.#eachKey(room, (index, key) => lists.push(index.get(key) as RankList));
    return lists.slice();
  }

  /** Removes a stored room from the id map and every index. */
  #unindex(room: StoredRoom): void {
    this.#rooms.delete(room.id);
    const rank = this.#timeline.remove(room, room.createdMs);
    this.#dropId();
    // Through the room's own list references: no hash lookup per key.
    const lists = room.indexLists;
    let at = 0;
    this.#eachKey(room, (index, key) => forgetRank(index, key, lists[at++] as RankList, rank));
    room.eachTerm((key) => {
      if (this.#byMetadata.get(key)?.size === 0) this.#byMetadata.delete(key);
    });
  }

  /**
   * Leaves a deleted id in the id index (readers skip ids without a room)
   * and rebuilds the index once stale ids outnumber live ones, so a delete
   * costs no search of it and the index stays at most twice its size.
   */
  #dropId(): void {
    this.#staleIds++;
    if (this.#staleIds <= Math.max(STALE_IDS_FLOOR, this.#rooms.size)) return;
    const live = new SortedChunks<string>(compareIds, this.#chunkSize);
    const next = this.#byId.walkUp("");
    for (let id = next(); id !== undefined; id = next()) if (this.#rooms.has(id)) live.insert(id);
    this.#byId = live;
    this.#staleIds = 0;
  }

  #reindexMetadata(rank: number, before: StoredRoom, after: StoredRoom): void {
    const old = metadataTerms(before);
    const current = metadataTerms(after);
    for (const [key, values] of old) {
      const kept = current.get(key);
      for (const value of values) if (!kept?.has(value)) this.#removeMetadata(key, value, rank);
    }
    for (const [key, values] of current) {
      const had = old.get(key);
      for (const value of values) {
        if (!had?.has(value)) addTo(metadataIndex(this.#byMetadata, key), value, rank, this.#chunkSize);
      }
    }
  }

  #removeMetadata(key: string, value: string, rank: number): void {
    const byValue = this.#byMetadata.get(key);
    if (byValue === undefined) return;
    removeFrom(byValue, value, rank);
    if (byValue.size === 0) this.#byMetadata.delete(key);
  }
}

/** Deleted ids the id index may hold before a compaction, whatever the number of rooms. */
const STALE_IDS_FLOOR = 1024;

/** The two access maps, each with its own index. */
const ACCESS_PARTS: readonly AccessPart[] = ["users", "groups"];

/** For each metadata key, the distinct values a filter can match (array elements). */
function metadataTerms(room: StoredRoom): Map<string, Set<string>> {
  const terms = new Map<string, Set<string>>();
  room.eachTerm((key, value) => {
    const values = terms.get(key);
    if (values === undefined) terms.set(key, new Set([value]));
    else values.add(value);
  });
  return terms;
}

function metadataIndex(byMetadata: Map<string, Map<string, RankList>>, key: string): Map<string, RankList> {
  let byValue = byMetadata.get(key);
  if (byValue === undefined) byMetadata.set(key, (byValue = new Map()));
  return byValue;
}

function reindexKeys(
  index: Map<string, RankList>,
  rank: number,
  before: readonly string[],
  after: readonly string[],
  chunkSize: number | undefined,
): void {
  const kept = new Set(after);
  const had = new Set(before);
  for (const key of before) if (!kept.has(key)) removeFrom(index, key, rank);
  for (const key of after) if (!had.has(key)) addTo(index, key, rank, chunkSize);
}

/** Adds `rank` to the list of `key`, made if missing; returns that list. */
function addTo(index: Map<string, RankList>, key: string, rank: number, chunkSize: number | undefined): RankList {
  let list = index.get(key);
  if (list === undefined) index.set(key, (list = new RankList(chunkSize)));
  list.insert(rank);
  return list;
}

/**
 * Forgets `rank` in `list`, the list of `key` in `index` (a deleted room's:
 * readers skip it until the list drops it), and drops the list once nothing
 * live is left.
 */
function forgetRank(index: Map<string, RankList>, key: string, list: RankList, rank: number): void {
  list.forget(rank);
  if (list.live === 0) index.delete(key);
}

function removeFrom(index: Map<string, RankList>, key: string, rank: number): void {
  const list = index.get(key);
  if (list === undefined) return;
  list.remove(rank);
  // Drop empty lists, or every user id ever seen would stay in memory.
  if (list.live === 0) index.delete(key);
}
