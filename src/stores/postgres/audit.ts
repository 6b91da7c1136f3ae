/**
 * The audit trail of `PostgresStore`: the `audit_log` table (migration 3),
 * appended by the store's journal inside each write's transaction. With a
 * retention, one append in {@link PRUNE_EVERY} also prunes, in the same
 * transaction: at most {@link PRUNE_BATCH} of the oldest rows past the
 * retention, skipping rows another writer is pruning (`SKIP LOCKED`), so
 * concurrent writers never wait on each other there and the table converges
 * to the retention (up to `PRUNE_EVERY` rows over it). Counting is by
 * sequence, so after rolled-back writes a few fewer than `maxEntries` stay.
 */
import type { PoolClient } from "pg";
import {
  type AuditDetails,
  type AuditPage,
  type AuditQuery,
  auditAfter,
  auditCursor,
  auditDetailsOf,
  auditEntryOf,
  auditRecordOf,
} from "../../rooms/audit.js";
import { assertPageLimit } from "../../rooms/cursor.js";
import type { JournalEntry } from "../../rooms/journal.js";
import type { PostgresJournalWriter } from "./journal.js";

/** One append in this many prunes (by its sequence), so a write pays for pruning now and then, in batches. */
const PRUNE_EVERY = 16;

/** The most rows one prune deletes: twice what was appended since the last one, so the table converges. */
const PRUNE_BATCH = 2 * PRUNE_EVERY;

type AuditRow = {
  seq: string;
  at: string;
  actor: string;
  type: string;
  room_id: string | null;
  new_room_id: string | null;
  user_id: string | null;
  group_id: string | null;
  details: AuditDetails;
};

const COLUMNS = "seq, at, actor, type, room_id, new_room_id, user_id, group_id, details";

/**
 * The audit trail: a {@link PostgresJournalWriter} and the reader of what it wrote.
 *
 * @example
 * ```ts
 * const audit = new PostgresAuditTrail(`"roomgate".audit_log`, { maxEntries: 1_000_000 }, Date.now);
 * store.registerJournalWriter(audit);
 * ```
 */
export class PostgresAuditTrail implements PostgresJournalWriter {
  readonly #table: string;
  readonly #insert: string;
  readonly #prune: string;
  readonly #maxEntries: number | undefined;
  readonly #maxAgeMs: number | undefined;
  readonly #now: () => number;

  /** @param table The schema-qualified, quoted `audit_log` table. */
  constructor(table: string, retention: { maxEntries?: number; maxAgeMs?: number }, now: () => number) {
    this.#table = table;
    this.#maxEntries = retention.maxEntries;
    this.#maxAgeMs = retention.maxAgeMs;
    this.#now = now;
    this.#insert = `INSERT INTO ${table} (at, actor, type, room_id, new_room_id, user_id, group_id, details)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq`;
    // The candidates are the oldest PRUNE_BATCH rows of the primary key (read
    // without a lock); only those past the retention are locked, skipping
    // any another writer is pruning.
    this.#prune = `DELETE FROM ${table} WHERE seq IN (
        SELECT seq FROM ${table} WHERE seq IN (
          SELECT oldest.seq FROM (SELECT seq, at FROM ${table} ORDER BY seq LIMIT ${PRUNE_BATCH}) oldest
           WHERE oldest.seq <= $1::bigint OR oldest.at < $2::bigint)
        FOR UPDATE SKIP LOCKED)`;
  }

  async append(client: PoolClient, entry: JournalEntry): Promise<void> {
    const record = auditRecordOf(entry);
    const params: unknown[] = [
      record.at.getTime(),
      record.actor,
      record.type,
      record.roomId ?? null,
      record.newRoomId ?? null,
      record.userId ?? null,
      record.groupId ?? null,
      JSON.stringify(auditDetailsOf(record)),
    ];
    const { rows } = await client.query<{ seq: string }>(this.#insert, params);
    const seq = Number(rows[0]!.seq);
    if ((this.#maxEntries === undefined && this.#maxAgeMs === undefined) || seq % PRUNE_EVERY !== 0) return;
    await client.query(this.#prune, [
      this.#maxEntries === undefined ? 0 : seq - this.#maxEntries,
      this.#maxAgeMs === undefined ? 0 : this.#now() - this.#maxAgeMs,
    ]);
  }

  /** One page of entries matching `query`, newest first. */
  async read(client: PoolClient, query: AuditQuery): Promise<AuditPage> {
    assertPageLimit(query.limit);
    const after = auditAfter(query.cursor);
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (query.roomId !== undefined) {
      const id = param(query.roomId);
      where.push(`(room_id = ${id} OR new_room_id = ${id})`);
    }
    if (query.actor !== undefined) where.push(`actor = ${param(query.actor)}`);
    if (query.since !== undefined) where.push(`at >= ${param(query.since)}`);
    if (query.until !== undefined) where.push(`at < ${param(query.until)}`);
    if (after !== undefined) where.push(`seq < ${param(after)}`);
    // One row beyond the page proves there is a next page.
    const sql =
      `SELECT ${COLUMNS} FROM ${this.#table}` +
      (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
      ` ORDER BY seq DESC LIMIT ${param(query.limit + 1)}`;
    const { rows } = await client.query<AuditRow>(sql, params);
    const entries = rows.slice(0, query.limit).map(toEntry);
    return { entries, nextCursor: rows.length > query.limit ? auditCursor(Number(rows[query.limit - 1]!.seq)) : null };
  }
}

function toEntry(row: AuditRow): ReturnType<typeof auditEntryOf> {
  return auditEntryOf(
    Number(row.seq),
    {
      at: Number(row.at),
      actor: row.actor,
      type: row.type,
      roomId: row.room_id,
      newRoomId: row.new_room_id,
      userId: row.user_id,
      groupId: row.group_id,
    },
    row.details,
  );
}
