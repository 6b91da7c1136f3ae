/**
 * The audit trail of `SqliteStore`: the `audit_log` table (schema version
 * 3), appended by the store's journal inside each write's transaction, and
 * pruned there too when a retention is set: one append in
 * {@link PRUNE_EVERY} deletes at most {@link PRUNE_BATCH} of the oldest rows
 * past it, so a write's cost stays bounded and the table converges to the
 * retention (up to `PRUNE_EVERY` rows over it).
 */
import type { Database as Connection, Statement } from "better-sqlite3";
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
import type { SqliteJournalWriter } from "./journal.js";

/** One append in this many prunes (by its sequence), so a write pays for pruning now and then, in batches. */
const PRUNE_EVERY = 16;

/** The most rows one prune deletes: twice what was appended since the last one, so the table converges. */
const PRUNE_BATCH = 2 * PRUNE_EVERY;

type AuditRow = {
  seq: number;
  at: number;
  actor: string;
  type: string;
  room_id: string | null;
  new_room_id: string | null;
  user_id: string | null;
  group_id: string | null;
  details: string;
};

const COLUMNS = "seq, at, actor, type, room_id, new_room_id, user_id, group_id, details";

/**
 * The audit trail: a {@link SqliteJournalWriter} and the reader of what it wrote.
 *
 * @example
 * ```ts
 * const audit = new SqliteAuditTrail({ maxAgeMs: 90 * 86_400_000 }, Date.now);
 * store.registerJournalWriter(audit);
 * ```
 */
export class SqliteAuditTrail implements SqliteJournalWriter {
  readonly #maxEntries: number | undefined;
  readonly #maxAgeMs: number | undefined;
  readonly #now: () => number;
  /** Statements by SQL, prepared on the store's connection the first time they run. */
  readonly #statements = new Map<string, Statement>();

  constructor(retention: { maxEntries?: number; maxAgeMs?: number }, now: () => number) {
    this.#maxEntries = retention.maxEntries;
    this.#maxAgeMs = retention.maxAgeMs;
    this.#now = now;
  }

  append(db: Connection, entry: JournalEntry): void {
    const record = auditRecordOf(entry);
    const { lastInsertRowid } = this.#sql(
      db,
      "INSERT INTO audit_log (at, actor, type, room_id, new_room_id, user_id, group_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ).run(
      record.at.getTime(),
      record.actor,
      record.type,
      record.roomId ?? null,
      record.newRoomId ?? null,
      record.userId ?? null,
      record.groupId ?? null,
      JSON.stringify(auditDetailsOf(record)),
    );
    const seq = Number(lastInsertRowid);
    if ((this.#maxEntries === undefined && this.#maxAgeMs === undefined) || seq % PRUNE_EVERY !== 0) return;
    // Only the oldest few rows are looked at: an index range of PRUNE_BATCH rows.
    this.#sql(
      db,
      `DELETE FROM audit_log WHERE seq IN (
         SELECT seq FROM (SELECT seq, at FROM audit_log ORDER BY seq LIMIT ${PRUNE_BATCH}) WHERE seq <= ? OR at < ?)`,
    ).run(
      this.#maxEntries === undefined ? 0 : seq - this.#maxEntries,
      this.#maxAgeMs === undefined ? -Infinity : this.#now() - this.#maxAgeMs,
    );
  }

  /** One page of entries matching `query`, newest first; run it in a read transaction. */
  read(db: Connection, query: AuditQuery): AuditPage {
    assertPageLimit(query.limit);
    const after = auditAfter(query.cursor);
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.roomId !== undefined) {
      where.push("(room_id = ? OR new_room_id = ?)");
      params.push(query.roomId, query.roomId);
    }
    if (query.actor !== undefined) {
      where.push("actor = ?");
      params.push(query.actor);
    }
    if (query.since !== undefined) {
      where.push("at >= ?");
      params.push(query.since);
    }
    if (query.until !== undefined) {
      where.push("at < ?");
      params.push(query.until);
    }
    if (after !== undefined) {
      where.push("seq < ?");
      params.push(after);
    }
    // One row beyond the page proves there is a next page.
    params.push(query.limit + 1);
    const sql = `SELECT ${COLUMNS} FROM audit_log${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`;
    const rows = this.#sql(db, sql).all(...params) as AuditRow[];
    const entries = rows.slice(0, query.limit).map(toEntry);
    const more = rows.length > query.limit;
    return { entries, nextCursor: more ? auditCursor(rows[query.limit - 1]!.seq) : null };
  }

  #sql(db: Connection, sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) this.#statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  }
}

function toEntry(row: AuditRow): ReturnType<typeof auditEntryOf> {
  return auditEntryOf(
    row.seq,
    {
      at: row.at,
      actor: row.actor,
      type: row.type,
      roomId: row.room_id,
      newRoomId: row.new_room_id,
      userId: row.user_id,
      groupId: row.group_id,
    },
    JSON.parse(row.details) as AuditDetails,
  );
}
