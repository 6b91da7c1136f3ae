/**
 * `PostgresStore`: rooms in PostgreSQL, shared by every app instance that
 * points at the same database and schema. Each patch is one transaction with
 * the room row locked; change events cross instances through `LISTEN` /
 * `NOTIFY` and a change log (see `change-feed.ts`).
 */
import { randomUUID } from "node:crypto";
import type { RoomAccessRules } from "../../permissions/rules.js";
import type { RoomEntryRules } from "../../rooms/types.js";
import { assertPageLimit, decodeCursor, encodeCursor } from "../../rooms/cursor.js";
import { type RoomChangeEmitterOptions, type RoomChangeListener, StoreListeners } from "../../rooms/emitter.js";
import { applyRoomPatch, cloneRoom } from "../../rooms/patch.js";
import { integerOption, millisecondsOption } from "../../runtime/options.js";
import { EntryCache, loadRoomRules, loadSubjectRules } from "./cache.js";
import { ChangeLogListener, changeHead, logChanges, pruneChanges, readChanges } from "./change-feed.js";
import { type ConnectionOptions, Connections } from "./connection.js";
import { RoomOrder } from "./room-order.js";
import { checkText, filterSql, ROOM_COLUMNS, roomParams, rowToPlainRoom, rowToRoom, WRITE_COLUMNS, type RoomRow } from "./rows.js";
import { PLAIN_ROOM_COPIES, plainRoomCopy } from "../../rooms/copies.js";
import { channelName, tableNames, type Tables, validateSchemaName } from "./schema.js";
import { PostgresGroups } from "./groups.js";
import { accessibleStatement } from "./accessible.js";
import { PostgresWebhookOutbox } from "./outbox.js";
import type { PostgresJournalWriter } from "./journal.js";
import { PostgresAuditTrail } from "./audit.js";
import { type AuditOption, type AuditPage, type AuditQuery, auditSettings } from "../../rooms/audit.js";
import { clearRevocationIn, revokeTokensIn } from "./revocations.js";
import { roomChanges } from "../../rooms/journal.js";
import { type JournalBody, JournalWriters, stampEntry, writeActor } from "../../rooms/journal-writers.js";
import type { PoolClient } from "pg";
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

/**
 * Options of {@link PostgresStore}: your own `pg` pool, or a connection
 * string for a pool the store creates (and closes).
 */
export type PostgresStoreOptions = ConnectionOptions & {
  /** Schema holding the store's tables, created on first use. Default `"roomgate"`. */
  schema?: string;
  /** How long change-log rows are kept for listeners catching up after a reconnect. Default 10 minutes. */
  changeRetentionMs?: number;
  /**
   * Opt-in: keep room access rules and revocation cutoffs in process for
   * `checkRoomAccess`, dropped by the change feed (`LISTEN` / `NOTIFY`) when
   * any instance changes them. A change on another instance reaches this
   * one's entry checks after its notification is read (a few milliseconds on
   * a local network: see the README); while the listening connection is
   * down nothing is cached. Caches whole rooms' accesses, up to `maxEntries`
   * rooms and as many users (default 10,000 each). Default: off.
   */
  entryCache?: boolean | { maxEntries?: number };
  /**
   * How often the listening connection must answer, in ms (default 5000).
   * One that stays silent that long again (a flow a NAT or firewall dropped
   * without telling either end) is replaced and caught up from the log, and
   * the entry cache emptied meanwhile: other instances' changes reach this
   * one within twice this, plus a reconnect.
   */
  feedHeartbeatMs?: number;
  /** The clock of journal entries (epoch ms). Default `Date.now`. */
  now?: () => number;
  /**
   * The audit trail (the `audit_log` table): on by default, every entry
   * kept; `{ maxEntries, maxAgeMs }` prunes the oldest past either bound,
   * a few rows per write; `false` writes none (entries already written
   * stay readable).
   */
  audit?: AuditOption;
} & Pick<RoomChangeEmitterOptions, "onListenerError">;

const DEFAULT_RETENTION_MS = 10 * 60_000;
const PRUNE_EVERY_MS = 60_000;

/**
 * A {@link RoomStore} in PostgreSQL (`pg` 8, an optional peer dependency
 * imported only by `roomgate/postgres`). Tables live in their own schema,
 * created and migrated on first use. Writes are transactions: `update` locks
 * the room row (`SELECT … FOR UPDATE`), applies the patch, runs `assert` and
 * commits, so concurrent patches from any number of instances never lose
 * each other. Events of other instances arrive through `LISTEN` / `NOTIFY`
 * with catch-up from a change log after a reconnect.
 *
 * Reads honour `signal` even when the database hangs: the query is raced
 * against it and its connection destroyed on abort.
 *
 * @example
 * ```ts
 * import { PostgresStore } from "roomgate/postgres";
 * const store = new PostgresStore({ connectionString: process.env.DATABASE_URL! });
 * const liveblocks = new Liveblocks({ secret, store });
 * // on shutdown
 * await store.close();
 * ```
 */
export class PostgresStore implements RoomStore {
  /** Every room this store returns is the caller's own plain copy (`rowToPlainRoom`, `plainRoomCopy`): the facade copies none again. */
  readonly [PLAIN_ROOM_COPIES] = true;
  readonly #connections: Connections;
  readonly #schema: string;
  /** Schema-qualified table names, quoted once here. */
  readonly #t: Tables;
  readonly #channel: string;
  readonly #retentionMs: number;
  /** Listeners of both kinds; the change feed runs while there are any, or while the entry cache is on. */
  readonly #listeners: StoreListeners;
  readonly #feed: ChangeLogListener;
  /** Replaces a room event older than one already emitted for its room: own and feed events arrive by two paths. */
  readonly #order: RoomOrder = new RoomOrder(() => this.#feed.floor);
  /** Marks this store's rows in the change log, so its feed skips what it emitted itself. */
  readonly #origin = randomUUID();
  readonly #groups: PostgresGroups;
  readonly #cache: EntryCache | null;
  readonly #writers = new JournalWriters<PostgresJournalWriter>();
  #outbox: PostgresWebhookOutbox | null = null;
  readonly #now: () => number;
  readonly #audit: PostgresAuditTrail;
  #lastPrune = 0;

  constructor(options: PostgresStoreOptions) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("PostgresStore options must be an object with `pool` or `connectionString`");
    }
    this.#schema = validateSchemaName(options.schema ?? "roomgate");
    this.#t = tableNames(this.#schema);
    this.#channel = channelName(this.#schema);
    this.#retentionMs = millisecondsOption("changeRetentionMs", options.changeRetentionMs, DEFAULT_RETENTION_MS, {
      positive: true,
      finite: true,
    });

    this.#connections = new Connections(options, this.#schema);
    this.#now = options.now ?? Date.now;
    const audit = auditSettings(options.audit);
    this.#audit = new PostgresAuditTrail(`"${this.#schema}".audit_log`, audit, this.#now);
    if (audit.enabled) this.#writers.add(this.#audit);
    this.#groups = new PostgresGroups(this.#connections, this.#schema, (client, body, options) => this.#journal(client, body, options));

    const cacheOptions = options.entryCache;
    const maxEntries = integerOption(
      "entryCache.maxEntries",
      typeof cacheOptions === "object" ? cacheOptions.maxEntries : undefined,
      10_000,
      1,
    );
    this.#cache = cacheOptions === undefined || cacheOptions === false ? null : new EntryCache(maxEntries);

    this.#listeners = new StoreListeners(
      {
        start: () => {
          if (!this.#connections.closed) this.#feed.start();
        },
        // The entry cache is only kept while the feed runs: it keeps it running.
        stop: () => {
          if (this.#cache === null) void this.#feed.stop();
        },
      },
      options.onListenerError ? { onListenerError: options.onListenerError } : {},
    );
    this.#feed = new ChangeLogListener({
      config: { ...this.#connections.clientConfig, application_name: `roomgate listen ${this.#schema}`.slice(0, 63) },
      channel: this.#channel,
      emit: (event, seq) => this.#listeners.rooms.emit(this.#order.pass(event, seq)),
      onRow: (row) => {
        if (row.type !== "revoked") return this.#cache?.invalidateRoom(row.roomId);
        this.#cache?.invalidateRevocation(row.roomId);
        if (!row.own && row.cutoff !== undefined) this.#listeners.revocations.emit({ userId: row.roomId, issuedBefore: row.cutoff });
      },
      onLive: (live) => {
        if (this.#cache !== null) this.#cache.live = live;
      },
      head: async (client, since) => {
        await this.#connections.init();
        return changeHead(client, this.#t, since);
      },
      read: (client, after, missing) => readChanges(client, this.#t, after, missing, this.#origin),
      ...(options.feedHeartbeatMs !== undefined && { heartbeatMs: options.feedHeartbeatMs }),
    });
  }

  /** The schema holding this store's tables. */
  get schema(): string {
    return this.#schema;
  }

  /**
   * The room, or `null` if there is none with this id.
   *
   * @param roomId The exact room id.
   * @param options.signal Rejects with its reason when it aborts, even mid-query.
   */
  get(roomId: string, options?: StoreReadOptions): Promise<RoomData | null> {
    // Not async: the query's own promise is the answer, not wrapped in another (turns on the hottest read).
    try {
      checkText(roomId, "roomId");
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#connections.readRows<RoomRow, RoomData | null>(
      options?.signal,
      `SELECT ${ROOM_COLUMNS} FROM ${this.#t.rooms} WHERE id = $1`,
      [roomId],
      (rows) => (rows[0] === undefined ? null : rowToPlainRoom(rows[0])),
    );
  }

  /**
   * The permissions of the room as far as `subject` is concerned, in one
   * query that selects only the user's entry and the entries of the
   * subject's groups, never the whole room; `null` for a missing room.
   *
   * @param roomId The exact room id.
   * @param subject The entering user and the groups of their token.
   * @param options.signal Rejects with its reason when it aborts, even mid-query.
   */
  async getAccessRules(
    roomId: string,
    subject: { userId: string; groupIds: readonly string[] },
    options?: StoreReadOptions,
  ): Promise<RoomEntryRules | null> {
    checkText(roomId, "roomId");
    checkText(subject.userId, "userId");
    for (const groupId of subject.groupIds) checkText(groupId, "groupIds");
    if (this.#cache !== null) return this.#cachedAccessRules(roomId, options?.signal);
    return this.#connections.read(options?.signal, (client) => loadSubjectRules(client, this.#t, roomId, subject));
  }

  /**
   * Stores `room` unless one with its id exists.
   *
   * @param room The complete room, as the facade built it.
   * @param options.assert Runs on the room to be stored, inside the transaction; if it throws, nothing is stored.
   * @param options.signal Rejects with its reason if it aborts before the commit.
   */
  async create(room: RoomData, options?: StoreWriteOptions): Promise<{ room: RoomData; created: boolean }> {
    checkText(room.id, "room.id");
    const ms = room.createdAt.getTime();
    if (!Number.isSafeInteger(ms)) throw new TypeError(`Room "${room.id}" has an invalid createdAt`);
    const done = this.#order.begin();
    try {
      const stored = cloneRoom(room);
      const result = await this.#connections.transaction(options?.signal, async (client) => {
        const inserted = await client.query(
          `INSERT INTO ${this.#t.rooms} (${WRITE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO NOTHING`,
          roomParams(stored),
        );
        if (inserted.rowCount === 0) {
          const { rows } = await client.query<RoomRow>(`SELECT ${ROOM_COLUMNS} FROM ${this.#t.rooms} WHERE id = $1`, [room.id]);
          // Gone again already (a concurrent delete): the caller retries.
          return { existing: rows[0] === undefined ? null : rowToPlainRoom(rows[0]), seqs: [] };
        }
        options?.assert?.(stored);
        await this.#journal(client, { type: "roomCreated", roomId: stored.id, room: stored }, options);
        return { existing: undefined, seqs: await logChanges(client, this.#t, this.#channel, this.#origin, [[stored.id, "created"]]) };
      });
      if (result.existing === null) return this.create(room, options);
      if (result.existing !== undefined) return { room: result.existing, created: false };
      this.#afterWrite([{ type: "created", roomId: stored.id, room: stored }], result.seqs);
      return { room: plainRoomCopy(stored), created: true };
    } finally {
      done();
    }
  }

  /**
   * Applies `patch` with the room row locked, so concurrent patches from any
   * instance never lose each other; `null` if the room does not exist.
   *
   * @param roomId The exact room id.
   * @param patch The validated change.
   * @param options.assert Runs on the patched room before the commit; if it throws, nothing changes.
   * @param options.signal Rejects with its reason if it aborts before the commit.
   */
  async update(roomId: string, patch: RoomPatch, options?: StoreWriteOptions): Promise<RoomData | null> {
    checkText(roomId, "roomId");
    const done = this.#order.begin();
    try {
      const result = await this.#connections.transaction(options?.signal, async (client) => {
        const { rows } = await client.query<RoomRow>(`SELECT ${ROOM_COLUMNS} FROM ${this.#t.rooms} WHERE id = $1 FOR UPDATE`, [roomId]);
        if (rows[0] === undefined) return null;
        const before = rowToRoom(rows[0]);
        const after = applyRoomPatch(before, patch);
        options?.assert?.(after);
        await client.query(
          `UPDATE ${this.#t.rooms}
            SET created_at = $2, last_connection_at = $3, organization_id = $4, default_accesses = $5, users_accesses = $6, groups_accesses = $7, metadata = $8, doc = $9
          WHERE id = $1`,
          roomParams(after),
        );
        if (this.#writers.active) {
          const changes = roomChanges(before, after);
          // A patch that changes nothing journals nothing (see journal-writers.ts).
          if (changes !== null) await this.#journal(client, { type: "roomUpdated", roomId, changes }, options);
        }
        return { after, seqs: await logChanges(client, this.#t, this.#channel, this.#origin, [[roomId, "updated"]]) };
      });
      if (result === null) return null;
      this.#afterWrite([{ type: "updated", roomId, room: result.after }], result.seqs);
      return plainRoomCopy(result.after);
    } finally {
      done();
    }
  }

  /**
   * Moves the room to `newRoomId` in one transaction, keeping everything
   * else; listeners receive `deleted` for the old id, then `created`.
   *
   * @param roomId The current id.
   * @param newRoomId The new id.
   * @param options.assert Runs on the renamed room before the commit.
   * @param options.signal Rejects with its reason if it aborts before the commit.
   */
  async rename(roomId: string, newRoomId: string, options?: StoreWriteOptions): Promise<RoomData | "not-found" | "exists"> {
    checkText(roomId, "roomId");
    checkText(newRoomId, "newRoomId");
    const done = this.#order.begin();
    try {
      const result = await this.#connections.transaction(options?.signal, async (client) => {
        const { rows } = await client.query<RoomRow>(`SELECT ${ROOM_COLUMNS} FROM ${this.#t.rooms} WHERE id = $1 FOR UPDATE`, [roomId]);
        if (rows[0] === undefined) return "not-found" as const;
        if (newRoomId === roomId) return { room: rowToRoom(rows[0]), seqs: [] as number[] };
        const room = { ...rowToRoom(rows[0]), id: newRoomId };
        const inserted = await client.query(
          `INSERT INTO ${this.#t.rooms} (${WRITE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO NOTHING`,
          roomParams(room),
        );
        if (inserted.rowCount === 0) return "exists" as const;
        options?.assert?.(room);
        await client.query(`DELETE FROM ${this.#t.rooms} WHERE id = $1`, [roomId]);
        await this.#journal(client, { type: "roomIdUpdated", roomId, newRoomId }, options);
        const seqs = await logChanges(client, this.#t, this.#channel, this.#origin, [
          [roomId, "deleted"],
          [newRoomId, "created"],
        ]);
        return { room, seqs };
      });
      if (typeof result === "string") return result;
      if (result.seqs.length > 0) {
        this.#afterWrite(
          [
            { type: "deleted", roomId, room: null },
            { type: "created", roomId: newRoomId, room: result.room },
          ],
          result.seqs,
        );
      }
      return plainRoomCopy(result.room);
    } finally {
      done();
    }
  }

  /**
   * Deletes the room; `false` if it did not exist.
   *
   * @param roomId The exact room id.
   * @param options.signal Rejects with its reason if it aborts before the commit.
   */
  async delete(roomId: string, options?: StoreWriteOptions): Promise<boolean> {
    checkText(roomId, "roomId");
    const done = this.#order.begin();
    try {
      const seqs = await this.#connections.transaction(options?.signal, async (client) => {
        // One statement: the row and its log entry go together.
        const { rows } = await client.query<{ seq: string }>(
          `WITH gone AS (DELETE FROM ${this.#t.rooms} WHERE id = $1 RETURNING id),
              logged AS (INSERT INTO ${this.#t.changes} (room_id, type, at, origin)
                         SELECT id, 'deleted', $2, $4 FROM gone RETURNING seq)
         SELECT seq, pg_notify($3, seq::text) FROM logged`,
          [roomId, Date.now(), this.#channel, this.#origin],
        );
        if (rows.length > 0) await this.#journal(client, { type: "roomDeleted", roomId }, options);
        return rows.map((row) => Number(row.seq));
      });
      if (seqs.length === 0) return false;
      this.#afterWrite([{ type: "deleted", roomId, room: null }], seqs);
      return true;
    } finally {
      done();
    }
  }

  /**
   * One page of rooms matching `query.filter`, newest first (`createdAt`
   * descending, then id descending in UTF-8 byte order), by keyset.
   *
   * @param query The filter, the page size and the previous page's `nextCursor`.
   * @param options.signal Rejects with its reason when it aborts, even mid-query.
   * @throws {InvalidCursorError} if `query.cursor` is not a cursor a store issued.
   */
  async list(query: RoomListQuery, options?: StoreReadOptions): Promise<RoomListPage> {
    const { filter, limit } = query;
    assertPageLimit(limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const params: unknown[] = [];
    const where = filterSql(filter, params);
    if (after !== undefined) {
      params.push(after.ms, after.id);
      where.push(`(created_at, id) < ($${params.length - 1}::bigint, $${params.length}::text COLLATE "C")`);
    }
    params.push(limit + 1);
    const sql =
      `SELECT ${ROOM_COLUMNS} FROM ${this.#t.rooms}` +
      (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
      ` ORDER BY created_at DESC, id DESC LIMIT $${params.length}`;
    return this.#page(sql, params, limit, options);
  }

  /**
   * One page of the rooms matching `query.filter` that `query.accessibleBy`
   * may enter, newest first, in one statement (see `accessible.ts`).
   *
   * @param query The filter, the identity, the page size and the previous page's `nextCursor`.
   * @param options.signal Rejects with its reason when it aborts, even mid-query.
   * @throws {InvalidCursorError} if `query.cursor` is not a cursor a store issued.
   */
  async listAccessible(query: AccessibleListQuery, options?: StoreReadOptions): Promise<RoomListPage> {
    assertPageLimit(query.limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const { sql, params } = accessibleStatement(this.#t.rooms, query.filter, query.accessibleBy, after, query.limit + 1);
    return this.#page(sql, params, query.limit, options);
  }

  /** Runs a listing statement selecting up to `limit + 1` rooms; the page and its cursor. */
  #page(sql: string, params: unknown[], limit: number, options: StoreReadOptions | undefined): Promise<RoomListPage> {
    return this.#connections.read(options?.signal, async (client) => {
      const { rows } = await client.query<RoomRow>(sql, params);
      const rooms = rows.slice(0, limit).map(rowToPlainRoom);
      const last = rooms[rooms.length - 1];
      const nextCursor = rows.length > limit && last !== undefined ? encodeCursor({ ms: last.createdAt.getTime(), id: last.id }) : null;
      return { rooms, nextCursor };
    });
  }

  /**
   * Records that tokens of `userId` issued before `issuedBefore` (epoch ms)
   * are revoked; the stored cutoff only moves forward, also under races.
   *
   * @param userId The exact user id.
   * @param issuedBefore Epoch milliseconds.
   * @param options.signal Rejects with its reason if it aborts before the write.
   */
  async revokeTokens(userId: string, issuedBefore: number, options?: StoreWriteOptions): Promise<void> {
    checkText(userId, "userId");
    if (!Number.isSafeInteger(issuedBefore)) throw new TypeError("issuedBefore must be an integer of epoch milliseconds");
    const cutoff = await this.#connections.transaction(options?.signal, async (client) => {
      const { cutoff, moved } = await revokeTokensIn(client, this.#t, {
        userId,
        issuedBefore,
        origin: this.#origin,
        channel: this.#channel,
      });
      if (moved) await this.#journal(client, { type: "tokensRevoked", userId, issuedBefore: cutoff }, options);
      return cutoff;
    });
    this.#cache?.invalidateRevocation(userId);
    this.#listeners.revocations.emit({ userId, issuedBefore: cutoff });
  }

  /**
   * Calls `listener` after every revocation: this instance's when the write
   * resolves, other instances' when their `NOTIFY` arrives (the listening
   * connection runs while there is any listener).
   *
   * @param listener Receives the user id and the cutoff as stored.
   */
  subscribeRevocations(listener: (event: RevocationEvent) => void): () => void {
    return this.#listeners.subscribeRevocations(listener);
  }

  /**
   * Removes the revocation cutoff of `userId`, if any.
   * Logged like a revocation, so other instances drop a cached cutoff (their
   * feed finds no cutoff left and tells no listener).
   *
   * @param userId The exact user id.
   * @param options.signal Rejects with its reason if it aborts before the write.
   */
  async clearRevocation(userId: string, options?: StoreWriteOptions): Promise<void> {
    checkText(userId, "userId");
    await this.#connections.transaction(options?.signal, async (client) => {
      if (await clearRevocationIn(client, this.#t, { userId, origin: this.#origin, channel: this.#channel })) {
        await this.#journal(client, { type: "tokenRevocationCleared", userId }, options);
      }
    });
    this.#cache?.invalidateRevocation(userId);
  }

  /**
   * The revocation cutoff of `userId` (epoch ms), or `null`.
   *
   * @param userId The exact user id.
   * @param options.signal Rejects with its reason when it aborts, even mid-query.
   */
  async getRevocation(userId: string, options?: StoreReadOptions): Promise<number | null> {
    checkText(userId, "userId");
    const cache = this.#cache;
    if (cache !== null) {
      if (!this.#connections.closed) this.#feed.start();
      const hit = cache.live ? cache.revocations.get(userId) : undefined;
      if (hit !== undefined) {
        options?.signal?.throwIfAborted();
        return hit;
      }
    }
    const epoch = cache?.epoch;
    const cutoff = await this.#connections.read(options?.signal, async (client) => {
      const { rows } = await client.query<{ issued_before: string }>(
        `SELECT issued_before FROM ${this.#t.revocations} WHERE user_id = $1`,
        [userId],
      );
      return rows[0] === undefined ? null : Number(rows[0].issued_before);
    });
    if (cache?.live && cache.epoch === epoch) cache.revocations.set(userId, cutoff);
    return cutoff;
  }

  /**
   * Room entry through the cache: the room's whole access rules, frozen and
   * shared, filled by one query when missing.
   */
  async #cachedAccessRules(roomId: string, signal: AbortSignal | undefined): Promise<RoomEntryRules | null> {
    const cache = this.#cache as EntryCache;
    if (!this.#connections.closed) this.#feed.start();
    if (cache.live) {
      const hit = cache.rooms.get(roomId);
      if (hit !== undefined) {
        signal?.throwIfAborted();
        return hit;
      }
    }
    const epoch = cache.epoch;
    const rules = await this.#connections.read(signal, (client) => loadRoomRules(client, this.#t, roomId));
    if (cache.live && cache.epoch === epoch) cache.rooms.set(roomId, rules);
    return rules;
  }

  /**
   * Calls `listener` after every change: this instance's writes before their
   * promise resolves, other instances' writes when their `NOTIFY` arrives
   * (with the room as stored then). The first subscription opens one
   * listening connection; the last unsubscribe closes it.
   *
   * @param listener Receives each event once.
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
   * One page of the audit trail, newest first (see `getAuditLog` of the facade).
   *
   * @param query The filters, the page size and the previous page's `nextCursor`.
   * @param options.signal Rejects with its reason when it aborts, even mid-query.
   */
  async getAuditLog(query: AuditQuery, options?: StoreReadOptions): Promise<AuditPage> {
    return this.#connections.read(options?.signal, (client) => this.#audit.read(client, query));
  }

  /**
   * Adds a writer called with every journal entry inside the write's
   * transaction (the audit trail is one, a webhook outbox another). For
   * integrations.
   * @internal
   *
   * @returns The function that removes it.
   */
  registerJournalWriter(writer: PostgresJournalWriter): () => void {
    return this.#writers.add(writer);
  }

  /**
   * The webhook outbox, in this schema; opened on first call, from when this
   * store's writes record their events in their own transaction.
   * @internal
   */
  webhookOutbox(): PostgresWebhookOutbox {
    if (this.#outbox === null) {
      const outbox = new PostgresWebhookOutbox(this.#connections, this.#schema);
      // Tables now, not inside the first write's transaction (which holds a pool client meanwhile).
      outbox.ready().catch(() => undefined);
      this.registerJournalWriter(outbox);
      this.#outbox = outbox;
    }
    return this.#outbox;
  }

  /**
   * Ends the listening connection and, if the store created the pool, the
   * pool. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#connections.closed) return;
    this.#connections.close();
    await this.#feed.stop();
    await this.#connections.end();
  }

  /** Hands the entry of a write to every journal writer, in turn, on the write's transaction client. */
  async #journal(client: PoolClient, body: JournalBody, options: { actor?: string } | undefined): Promise<void> {
    if (!this.#writers.active) return;
    const entry = stampEntry(body, writeActor(options), this.#now);
    for (const writer of this.#writers.list) await writer.append(client, entry);
  }

  /**
   * Emits this instance's own events at once (the feed skips their rows),
   * each replaced by a later change of its room if that was emitted already
   * (see {@link RoomOrder}), and prunes the log now and then.
   *
   * @param seqs The events' sequence numbers in the change log, in order.
   */
  #afterWrite(events: readonly RoomChangeEvent[], seqs: readonly number[]): void {
    for (const event of events) this.#cache?.invalidateRoom(event.roomId);
    if (this.#listeners.rooms.size > 0) {
      for (const [i, event] of events.entries()) {
        // The store keeps `event.room`; listeners get a copy.
        const own = event.room === null ? event : { ...event, room: cloneRoom(event.room) };
        this.#listeners.rooms.emit(this.#order.pass(own, seqs[i]!));
      }
    }
    const now = Date.now();
    if (now - this.#lastPrune > PRUNE_EVERY_MS) {
      this.#lastPrune = now;
      pruneChanges(this.#connections.pool, this.#t, now - this.#retentionMs);
    }
  }
}
