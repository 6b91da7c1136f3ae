/**
 * `SqliteStore`: rooms in one SQLite file on `better-sqlite3`, durable
 * (WAL, `synchronous=FULL`), shared by every process that opens the file,
 * with change events that reach the listeners of those other processes.
 */
import Database from "better-sqlite3";
import type { Database as Connection, Statement } from "better-sqlite3";
import type { RoomAccessRules } from "../../permissions/rules.js";
import type { RoomEntryRules } from "../../rooms/types.js";
import type { RoomAccesses, RoomPermission } from "../../permissions/scopes.js";
import { assertPageLimit, decodeCursor, encodeCursor } from "../../rooms/cursor.js";
import { type RoomChangeEmitterOptions, type RoomChangeListener, StoreListeners } from "../../rooms/emitter.js";
import { applyRoomPatch } from "../../rooms/patch.js";
import { createPrivateFile, isBusy, SqliteBusyError } from "./file.js";
import { integerOption, invalidOption } from "../../runtime/options.js";
import { sleep } from "../../runtime/signal.js";
import { ChangeLog } from "./change-feed.js";
import { listStatement } from "./query.js";
import { accessibleStatement } from "./accessible.js";
import {
  type AccessRow,
  accessesOf,
  checkPatch,
  checkRoom,
  checkText,
  type MetadataRow,
  metadataOf,
  prepareStatements,
  type RoomRow,
  type TransactionRunner,
  transactionRunner,
} from "./rows.js";
import { prepareDatabase } from "./schema.js";
import { insertRoom, writePatch } from "./room-writes.js";
import { SqliteGroups } from "./groups.js";
import type { SqliteJournalWriter } from "./journal.js";
import { SqliteAuditTrail } from "./audit.js";
import { type AuditOption, type AuditPage, type AuditQuery, auditSettings } from "../../rooms/audit.js";
import { roomChanges } from "../../rooms/journal.js";
import { type JournalBody, JournalWriters, stampEntry, writeActor } from "../../rooms/journal-writers.js";
import type {
  AccessibleListQuery,
  GroupData,
  GroupListPage,
  GroupListQuery,
  GroupWriteOptions,
  RevocationEvent,
  RoomChangeEvent,
  RoomData,
  RoomListPage,
  RoomListQuery,
  RoomPatch,
  RoomStore,
  StoreReadOptions,
  StoreWriteOptions,
} from "../../rooms/types.js";

/** Options of {@link SqliteStore}. */
export type SqliteStoreOptions = Pick<RoomChangeEmitterOptions, "onListenerError"> & {
  /** The database file; created with its schema if missing. */
  filename: string;
  /**
   * How long an operation keeps retrying while another connection holds the
   * lock it needs, before it rejects. Default 5000.
   */
  busyTimeoutMs?: number;
  /** How often listeners' changes made by other connections are polled. Default 100. */
  pollIntervalMs?: number;
  /** The clock of journal entries (epoch ms). Default `Date.now`. */
  now?: () => number;
  /**
   * The audit trail (the `audit_log` table): on by default, every entry
   * kept; `{ maxEntries, maxAgeMs }` prunes the oldest past either bound,
   * a few rows per write; `false` writes none (entries already written
   * stay readable).
   */
  audit?: AuditOption;
};

export { SqliteBusyError };

/**
 * How long SQLite itself waits, blocking the thread, for a lock before
 * returning `SQLITE_BUSY`; longer waits are retries on timers (see
 * {@link SqliteStore}).
 */
const BLOCKING_WAIT_MS = 20;

/**
 * A {@link RoomStore} in a SQLite file. Each method runs its statements
 * synchronously inside its promise, writes in one `BEGIN IMMEDIATE`
 * transaction, so a write that resolved is on disk and atomic with respect
 * to every other connection, in this process or another.
 *
 * Waiting for a lock: SQLite's busy handler blocks the thread, so it is kept
 * to 20 ms; past that, the operation retries on timers (the event loop keeps
 * running) until `busyTimeoutMs`, then rejects with {@link SqliteBusyError}.
 * An `AbortSignal` rejects the wait at once with its reason. Reads are never
 * blocked by another connection's write (WAL), so room entry keeps working
 * while another process holds a long write transaction; an error of the file
 * or a closed store rejects, and `checkRoomAccess` denies with
 * `store-unavailable`.
 *
 * Events: the instance's own writes are emitted right after commit, before
 * the write resolves; writes of other connections to the same file (other
 * workers) are polled every `pollIntervalMs` while there are listeners, and
 * emitted with the room as stored when polled.
 *
 * @example
 * ```ts
 * import { SqliteStore } from "roomgate/sqlite";
 * const store = new SqliteStore({ filename: "rooms.db" });
 * const liveblocks = new Liveblocks({ secret, store });
 * ```
 */
export class SqliteStore implements RoomStore {
  readonly #db: Connection;
  readonly #filename: string;
  readonly #busyTimeoutMs: number;
  /** Listeners of both kinds; the change feed polls while there are any. */
  readonly #listeners: StoreListeners;
  readonly #pollIntervalMs: number;
  readonly #list = new Map<string, Statement>();
  // Set by #open, which every operation runs first until it succeeds.
  #feed!: ChangeLog;
  #sql!: ReturnType<typeof prepareStatements>;
  /**
   * Runs its argument in a transaction (`.immediate` for writes). Built once:
   * better-sqlite3 builds its wrappers at each `db.transaction()` call.
   */
  #transaction!: TransactionRunner;
  #ready = false;
  #closed = false;
  readonly #writers = new JournalWriters<SqliteJournalWriter>();
  readonly #now: () => number;
  readonly #audit: SqliteAuditTrail;
  readonly #groups = new SqliteGroups(
    (signal, write, work) =>
      this.#attempt(signal, () => (write ? this.#transaction.immediate(() => work(this.#db)) : this.#transaction(() => work(this.#db)))),
    (body, options) => this.#journal(body, options),
  );

  constructor(options: SqliteStoreOptions) {
    if (typeof options?.filename !== "string" || options.filename === "") throw invalidOption("filename", "a non-empty string");
    const busyTimeoutMs = integerOption("busyTimeoutMs", options.busyTimeoutMs, 5000);
    const pollIntervalMs = integerOption("pollIntervalMs", options.pollIntervalMs, 100, 1);
    this.#filename = options.filename;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#listeners = new StoreListeners(
      {
        // Until the file opens there is no feed: #open starts it if anyone listens by then.
        start: () => {
          if (this.#ready && !this.#closed) this.#feed.start();
        },
        stop: () => {
          if (this.#ready) this.#feed.stop();
        },
      },
      options,
    );
    this.#pollIntervalMs = pollIntervalMs;
    this.#now = options.now ?? Date.now;
    const audit = auditSettings(options.audit);
    this.#audit = new SqliteAuditTrail(audit, this.#now);
    if (audit.enabled) this.#writers.add(this.#audit);
    createPrivateFile(options.filename);
    this.#db = new Database(options.filename);
    try {
      this.#open();
    } catch (error) {
      // Held by another process (a backup, a maintenance job): the first
      // operations retry opening, and fail as store errors until it is free.
      if (!isBusy(error)) {
        this.#db.close();
        throw error;
      }
    }
  }

  /**
   * The room, or `null` if there is none with this id.
   *
   * @param roomId The exact room id.
   * @param options.signal Rejects with its reason when it aborts, even while waiting for a lock.
   */
  async get(roomId: string, options?: StoreReadOptions): Promise<RoomData | null> {
    checkText(roomId, "roomId");
    // One read transaction: the room and its entries from one snapshot.
    return this.#attempt(options?.signal, () => this.#transaction(() => this.#readRoom(roomId)));
  }

  /**
   * The room's `defaultAccesses` and only the entries of `subject`'s user
   * id and group ids, or `null` if there is no such room.
   *
   * @param roomId The exact room id.
   * @param subject The user entering and the groups of their token.
   * @param options.signal Rejects with its reason when it aborts.
   */
  async getAccessRules(
    roomId: string,
    subject: { userId: string; groupIds: readonly string[] },
    options?: StoreReadOptions,
  ): Promise<RoomEntryRules | null> {
    // One statement, so one snapshot, and no transaction to open and close.
    return this.#attempt(options?.signal, () => {
      const row = this.#sql.accessRules.get(subject.userId, JSON.stringify(subject.groupIds), roomId) as
        { default_accesses: string; organization_id: string; user_scopes: string | null; groups: string } | undefined;
      if (row === undefined) return null;
      const usersAccesses: RoomAccesses = Object.create(null);
      if (row.user_scopes !== null) usersAccesses[subject.userId] = JSON.parse(row.user_scopes) as RoomPermission;
      const groupsAccesses: RoomAccesses = Object.create(null);
      for (const [groupId, scopes] of JSON.parse(row.groups) as [string, RoomPermission][]) {
        groupsAccesses[groupId] = scopes;
      }
      return {
        defaultAccesses: JSON.parse(row.default_accesses) as RoomPermission,
        usersAccesses,
        groupsAccesses,
        organizationId: row.organization_id,
      };
    });
  }

  /**
   * Stores `room` unless one with its id exists.
   *
   * @param room The complete room, as the facade built it.
   * @param options.assert Runs on the room to be stored, inside the transaction; if it throws, nothing is stored.
   * @param options.signal Rejects with its reason when it aborts before the write.
   */
  async create(room: RoomData, options?: StoreWriteOptions): Promise<{ room: RoomData; created: boolean }> {
    checkRoom(room);
    const result = await this.#attempt(options?.signal, () =>
      this.#transaction.immediate(() => {
        const existing = this.#readRoom(room.id);
        if (existing !== null) return { room: existing, created: false, seq: 0 };
        const stored = applyRoomPatch(room, {});
        options?.assert?.(stored);
        insertRoom(this.#sql, stored);
        this.#journal({ type: "roomCreated", roomId: stored.id, room: stored }, options);
        return { room: stored, created: true, seq: this.#feed.record(stored.id, "created", stored) };
      }),
    );
    if (result.created) this.#emitOwn(result.seq, { type: "created", roomId: room.id, room: result.room });
    return { room: applyRoomPatch(result.room, {}), created: result.created };
  }

  /**
   * Applies `patch` atomically (read, {@link applyRoomPatch}, write the
   * changed keys, in one transaction); `null` if the room does not exist.
   *
   * @param roomId The exact room id.
   * @param patch The validated change.
   * @param options.assert Runs on the patched room, inside the transaction; if it throws, nothing changes.
   * @param options.signal Rejects with its reason when it aborts before the write.
   */
  async update(roomId: string, patch: RoomPatch, options?: StoreWriteOptions): Promise<RoomData | null> {
    checkText(roomId, "roomId");
    checkPatch(patch);
    const result = await this.#attempt(options?.signal, () =>
      this.#transaction.immediate(() => {
        const before = this.#readRoom(roomId);
        if (before === null) return null;
        const after = applyRoomPatch(before, patch);
        options?.assert?.(after);
        writePatch(this.#sql, roomId, patch, before, after);
        if (this.#writers.active) {
          const changes = roomChanges(before, after);
          // A patch that changes nothing journals nothing (see journal-writers.ts).
          if (changes !== null) this.#journal({ type: "roomUpdated", roomId, changes }, options);
        }
        return { room: after, seq: this.#feed.record(roomId, "updated", after) };
      }),
    );
    if (result === null) return null;
    this.#emitOwn(result.seq, { type: "updated", roomId, room: result.room });
    return applyRoomPatch(result.room, {});
  }

  /**
   * Moves the room to `newRoomId` atomically, keeping everything else
   * (child rows follow through `ON UPDATE CASCADE`).
   *
   * @param roomId The current id.
   * @param newRoomId The new id.
   * @param options.assert Runs on the renamed room, inside the transaction.
   * @param options.signal Rejects with its reason when it aborts before the write.
   */
  async rename(roomId: string, newRoomId: string, options?: StoreWriteOptions): Promise<RoomData | "not-found" | "exists"> {
    checkText(roomId, "roomId");
    checkText(newRoomId, "newRoomId");
    const result = await this.#attempt(options?.signal, () =>
      this.#transaction.immediate(() => {
        if (this.#sql.defaultAccesses.get(roomId) === undefined) return "not-found" as const;
        if (this.#sql.defaultAccesses.get(newRoomId) !== undefined) return "exists" as const;
        this.#sql.renameRoom.run(newRoomId, roomId);
        const room = this.#readRoom(newRoomId) as RoomData;
        options?.assert?.(room);
        this.#journal({ type: "roomIdUpdated", roomId, newRoomId }, options);
        const deletedSeq = this.#feed.record(roomId, "deleted", null);
        return { room, deletedSeq, createdSeq: this.#feed.record(newRoomId, "created", room) };
      }),
    );
    if (typeof result === "string") return result;
    this.#emitOwn(result.deletedSeq, { type: "deleted", roomId, room: null });
    this.#emitOwn(result.createdSeq, { type: "created", roomId: newRoomId, room: result.room });
    return applyRoomPatch(result.room, {});
  }

  /**
   * Deletes the room and its entries; `false` if it did not exist.
   *
   * @param roomId The exact room id.
   * @param options.signal Rejects with its reason when it aborts before the write.
   */
  async delete(roomId: string, options?: StoreWriteOptions): Promise<boolean> {
    checkText(roomId, "roomId");
    const seq = await this.#attempt(options?.signal, () =>
      this.#transaction.immediate(() => {
        if (this.#sql.deleteRoom.run(roomId).changes === 0) return 0;
        this.#journal({ type: "roomDeleted", roomId }, options);
        return this.#feed.record(roomId, "deleted", null);
      }),
    );
    if (seq === 0) return false;
    this.#emitOwn(seq, { type: "deleted", roomId, room: null });
    return true;
  }

  /**
   * One page of rooms matching `query.filter`, newest first, in one
   * statement on the indexes (see `query.ts`).
   *
   * @param query The filter, the page size and the previous page's `nextCursor`.
   * @param options.signal Rejects with its reason when it aborts.
   * @throws {InvalidCursorError} if `query.cursor` is not a cursor a store issued.
   */
  async list(query: RoomListQuery, options?: StoreReadOptions): Promise<RoomListPage> {
    const { filter, limit } = query;
    assertPageLimit(limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    // One row beyond the page proves there is a next page.
    return this.#page(listStatement(filter, after, limit + 1), limit, options);
  }

  /**
   * One page of the rooms matching `query.filter` that `query.accessibleBy`
   * may enter, newest first, in one statement on the indexes (see `accessible.ts`).
   *
   * @param query The filter, the identity, the page size and the previous page's `nextCursor`.
   * @param options.signal Rejects with its reason when it aborts.
   * @throws {InvalidCursorError} if `query.cursor` is not a cursor a store issued.
   */
  async listAccessible(query: AccessibleListQuery, options?: StoreReadOptions): Promise<RoomListPage> {
    assertPageLimit(query.limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    return this.#page(accessibleStatement(query.filter, query.accessibleBy, after, query.limit + 1), query.limit, options);
  }

  /** Runs a listing statement selecting up to `limit + 1` room rows; the page and its cursor. */
  #page({ sql, params }: { sql: string; params: unknown[] }, limit: number, options: StoreReadOptions | undefined): Promise<RoomListPage> {
    return this.#attempt(options?.signal, () => {
      const rows = this.#listStatement(sql);
      // One read transaction: the rooms and their entries from one snapshot.
      return this.#transaction((): RoomListPage => {
        const found = rows.all(...params) as RoomRow[];
        const rooms = found.slice(0, limit).map((row) => this.#roomOf(row));
        const last = rooms[rooms.length - 1];
        const more = found.length > limit && last !== undefined;
        return { rooms, nextCursor: more ? encodeCursor({ ms: last.createdAt.getTime(), id: last.id }) : null };
      });
    });
  }

  /**
   * Records that tokens of `userId` issued before `issuedBefore` (epoch ms)
   * are revoked; an earlier cutoff than the stored one changes nothing.
   *
   * @param userId The exact user id.
   * @param issuedBefore Epoch milliseconds.
   * @param options.signal Rejects with its reason when it aborts before the write.
   */
  async revokeTokens(userId: string, issuedBefore: number, options?: StoreWriteOptions): Promise<void> {
    checkText(userId, "userId");
    if (!Number.isSafeInteger(issuedBefore)) throw new TypeError(`Invalid issuedBefore: ${issuedBefore}`);
    const result = await this.#attempt(options?.signal, () =>
      this.#transaction.immediate(() => {
        const previous = this.#sql.revocation.get(userId) as number | undefined;
        this.#sql.revoke.run(userId, issuedBefore);
        const cutoff = this.#sql.revocation.get(userId) as number;
        if (cutoff !== previous) this.#journal({ type: "tokensRevoked", userId, issuedBefore: cutoff }, options);
        return { cutoff, seq: this.#feed.recordRevocation(userId, cutoff) };
      }),
    );
    this.#feed.beforeOwnEvent(result.seq);
    this.#listeners.revocations.emit({ userId, issuedBefore: result.cutoff });
  }

  /**
   * Calls `listener` after every revocation: this instance's right after
   * commit, other connections' (other workers on the same file) when polled.
   *
   * @param listener Receives the user id and the cutoff as stored.
   */
  subscribeRevocations(listener: (event: RevocationEvent) => void): () => void {
    return this.#listeners.subscribeRevocations(listener);
  }

  /**
   * Removes the revocation cutoff of `userId`, if any.
   * Other connections read the file, so they see it at once.
   *
   * @param userId The exact user id.
   * @param options.signal Rejects with its reason when it aborts before the write.
   */
  async clearRevocation(userId: string, options?: StoreWriteOptions): Promise<void> {
    checkText(userId, "userId");
    await this.#attempt(options?.signal, () =>
      this.#transaction.immediate(() => {
        if (this.#sql.clearRevocation.run(userId).changes > 0) this.#journal({ type: "tokenRevocationCleared", userId }, options);
      }),
    );
  }

  /**
   * The revocation cutoff of `userId` (epoch ms), or `null`.
   *
   * @param userId The exact user id.
   * @param options.signal Rejects with its reason when it aborts.
   */
  async getRevocation(userId: string, options?: StoreReadOptions): Promise<number | null> {
    return this.#attempt(options?.signal, () => (this.#sql.revocation.get(userId) as number | undefined) ?? null);
  }

  /**
   * Calls `listener` after every change: this instance's own writes
   * synchronously before they resolve, other connections' writes when
   * polled. Returns the unsubscribe function.
   *
   * @param listener Receives the event; its `room` is a copy shared by all listeners of that event.
   */
  subscribe(listener: RoomChangeListener): () => void {
    return this.#listeners.subscribe(listener);
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
   * One page of the audit trail, newest first, from one snapshot (see
   * `getAuditLog` of the facade).
   *
   * @param query The filters, the page size and the previous page's `nextCursor`.
   * @param options.signal Rejects with its reason when it aborts.
   */
  async getAuditLog(query: AuditQuery, options?: StoreReadOptions): Promise<AuditPage> {
    return this.#attempt(options?.signal, () => this.#transaction(() => this.#audit.read(this.#db, query)));
  }

  /**
   * Adds a writer called with every journal entry inside the write's
   * transaction (the audit trail is one, a webhook outbox another). For
   * integrations.
   * @internal
   *
   * @returns The function that removes it.
   */
  registerJournalWriter(writer: SqliteJournalWriter): () => void {
    return this.#writers.add(writer);
  }

  /** Stops polling and closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ready) this.#feed.stop();
    this.#db.close();
  }

  /**
   * Runs `work` (synchronous statements), retrying on timers while another
   * connection holds the lock, until `busyTimeoutMs`; rejects at once with
   * the signal's reason when it aborts.
   */
  async #attempt<T>(signal: AbortSignal | undefined, work: () => T): Promise<T> {
    signal?.throwIfAborted();
    const deadline = Date.now() + this.#busyTimeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      if (this.#closed) throw new Error("SqliteStore: the store is closed");
      try {
        if (!this.#ready) this.#open();
        return work();
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (Date.now() >= deadline) throw new SqliteBusyError(this.#filename, this.#busyTimeoutMs, { cause: error });
      }
      await sleep(wait, signal);
    }
  }

  /**
   * Sets up the connection and the schema, then prepares statements and
   * the change feed. Waits for locks at most {@link BLOCKING_WAIT_MS}, so a
   * file held by another process throws `SQLITE_BUSY` for #attempt to retry.
   */
  #open(): void {
    prepareDatabase(this.#db, BLOCKING_WAIT_MS);
    this.#sql = prepareStatements(this.#db);
    this.#transaction = transactionRunner(this.#db);
    this.#feed = new ChangeLog(this.#db, {
      intervalMs: this.#pollIntervalMs,
      emit: (event) => this.#listeners.rooms.emit(event),
      revoked: (event) => this.#listeners.revocations.emit(event),
    });
    this.#ready = true;
    if (this.#listeners.size > 0) this.#feed.start();
  }

  /**
   * Hands the entry of a write to every journal writer, inside the write's
   * transaction (synchronous, like every statement of this store).
   */
  #journal(body: JournalBody, options: { actor?: string } | undefined): void {
    if (!this.#writers.active) return;
    const entry = stampEntry(body, writeActor(options), this.#now);
    for (const writer of this.#writers.list) writer.append(this.#db, entry);
  }

  /** The prepared statement of a filter shape; the 100 most recent shapes are kept. */
  #listStatement(sql: string): Statement {
    let statement = this.#list.get(sql);
    if (statement !== undefined) {
      // Re-inserted, so the map's order is least recently used first.
      this.#list.delete(sql);
    } else {
      statement = this.#db.prepare(sql);
      if (this.#list.size >= 100) this.#list.delete(this.#list.keys().next().value as string);
    }
    this.#list.set(sql, statement);
    return statement;
  }

  #emitOwn(seq: number, event: RoomChangeEvent): void {
    this.#feed.beforeOwnEvent(seq);
    if (this.#listeners.rooms.size === 0) return;
    this.#listeners.rooms.emit(event.room === null ? event : { ...event, room: applyRoomPatch(event.room, {}) });
  }

  #readRoom(roomId: string): RoomData | null {
    const row = this.#sql.room.get(roomId) as RoomRow | undefined;
    return row === undefined ? null : this.#roomOf(row);
  }

  #roomOf(row: RoomRow): RoomData {
    // Key order is @liveblocks/node's: lastConnectionAt, when present, follows createdAt.
    return {
      type: "room",
      id: row.id,
      createdAt: new Date(row.created_at),
      ...(row.last_connection_at !== null && { lastConnectionAt: new Date(row.last_connection_at) }),
      organizationId: row.organization_id,
      defaultAccesses: JSON.parse(row.default_accesses) as RoomPermission,
      usersAccesses: accessesOf(this.#sql.users.all(row.id) as AccessRow[]),
      groupsAccesses: accessesOf(this.#sql.groups.all(row.id) as AccessRow[]),
      metadata: metadataOf(this.#sql.metadata.all(row.id) as MetadataRow[]),
    };
  }
}
