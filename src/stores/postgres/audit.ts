/**
 * The audit trail of `PostgresStore`: the `audit_log` table (migration 3),
 * appended by the store's journal inside each write's transaction, in one
 * statement that also prunes when a retention is set: it deletes at most
 * {@link PRUNE_BATCH} of the oldest rows past it, skipping rows another
 * writer is pruning (`SKIP LOCKED`), so concurrent writers never wait on
 * each other there and the table converges to the retention. Counting is by
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

/** The most rows one append prunes. */
const PRUNE_BATCH = 16;

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
  readonly #append: string;
  readonly #maxEntries: number | undefined;
  readonly #maxAgeMs: number | undefined;
  readonly #now: () => number;

  /** @param table The schema-qualified, quoted `audit_log` table. */
  constructor(table: string, retention: { maxEntries?: number; maxAgeMs?: number }, now: () => number) {
    this.#table = table;
    this.#maxEntries = retention.maxEntries;
    this.#maxAgeMs = retention.maxAgeMs;
    this.#now = now;
    const insert = `INSERT INTO ${table} (at, actor, type, room_id, new_room_id, user_id, group_id, details)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq`;
    // One round trip either way; the prune reads only the oldest PRUNE_BATCH rows of the primary key.
    this.#append =
      retention.maxEntries === undefined && retention.maxAgeMs === undefined
        ? insert
        : `WITH added AS (${insert}),
                pruned AS (DELETE FROM ${table} WHERE seq IN (
                  SELECT seq FROM (SELECT seq, at FROM ${table} ORDER BY seq LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED) oldest
                   WHERE oldest.seq <= (SELECT seq FROM added) - $9::bigint OR oldest.at < $10::bigint))
           SELECT seq FROM added`;
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
    if (this.#maxEntries !== undefined || this.#maxAgeMs !== undefined) {
      params.push(this.#maxEntries ?? Number.MAX_SAFE_INTEGER, this.#maxAgeMs === undefined ? 0 : this.#now() - this.#maxAgeMs);
    }
    await client.query(this.#append, params);
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
