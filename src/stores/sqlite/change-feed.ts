/**
 * The cross-process change feed of `SqliteStore`: every write appends a row
 * to the `changes` table in its own transaction; each store instance with
 * listeners polls for rows other connections committed (cheaply, through
 * `PRAGMA data_version`) and turns them into events.
 */
import type { Database, Statement } from "better-sqlite3";
import type { RevocationEvent, RoomChangeEvent, RoomData } from "../../rooms/types.js";
import { roomFromJson, roomToJson } from "../../protocol/room-json.js";

/** A change as written in the `changes` table (`revoked`: `room_id` is then the user id, `room` the cutoff). */
type ChangeType = RoomChangeEvent["type"] | "revoked";

type ChangeRow = { seq: number; room_id: string; type: ChangeType; room: string | null };

/** How long change rows are kept: pollers run every few hundred ms. */
const RETENTION_MS = 5 * 60_000;

/** Options of {@link ChangeLog}. */
type ChangeLogOptions = {
  intervalMs: number;
  emit: (event: RoomChangeEvent) => void;
  /** Receives other connections' token revocations. */
  revoked: (event: RevocationEvent) => void;
};

/**
 * Writes change rows and, while started, delivers the ones other
 * connections wrote, in commit (sequence) order. The instance's own changes
 * are emitted by the store right after commit, after the feed has caught up
 * to them, so listeners see one commit order.
 *
 * @example
 * ```ts
 * const feed = new ChangeLog(db, options);
 * feed.start();
 * db.transaction(() => { ...; ownSeq = feed.record("r", "updated"); })();
 * feed.beforeOwnEvent(ownSeq);
 * emitter.emit(ownEvent);
 * ```
 */
export class ChangeLog {
  readonly #db: Database;
  readonly #options: ChangeLogOptions;
  readonly #insert: Statement<[string, string, string | null, number]>;
  readonly #since: Statement<[number]>;
  readonly #between: Statement<[number, number]>;
  readonly #maxSeq: Statement<[]>;
  readonly #prune: Statement<[number]>;
  #timer: NodeJS.Timeout | undefined;
  /** The highest sequence number delivered or skipped. */
  #lastSeq = 0;
  /** Own changes already emitted that the poller must skip (when catching up failed). */
  readonly #own = new Set<number>();
  #dataVersion = -1;
  #writes = 0;

  constructor(db: Database, options: ChangeLogOptions) {
    this.#db = db;
    this.#options = options;
    this.#insert = db.prepare("INSERT INTO changes (room_id, type, room, at) VALUES (?, ?, ?, ?)");
    this.#since = db.prepare("SELECT seq, room_id, type, room FROM changes WHERE seq > ? ORDER BY seq");
    this.#between = db.prepare("SELECT seq, room_id, type, room FROM changes WHERE seq > ? AND seq < ? ORDER BY seq");
    this.#maxSeq = db.prepare("SELECT coalesce(max(seq), 0) AS seq FROM changes").pluck();
    this.#prune = db.prepare("DELETE FROM changes WHERE at < ?");
  }

  /** Is the poller running? */
  get started(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Appends a change row with the room as this change committed it (`null`
   * for a delete), so other processes see exactly that room, never a later
   * or earlier one; call inside the write's transaction. Every few hundred
   * writes also prunes rows past the retention, so the log stays small.
   */
  record(roomId: string, type: RoomChangeEvent["type"], room: RoomData | null): number {
    return this.#append(roomId, type, room === null ? null : JSON.stringify(roomToJson(room)));
  }

  /** Appends a revocation row with the user's cutoff as stored after it; call inside the write's transaction. */
  recordRevocation(userId: string, issuedBefore: number): number {
    return this.#append(userId, "revoked", String(issuedBefore));
  }

  #append(id: string, type: ChangeType, payload: string | null): number {
    const now = Date.now();
    if (++this.#writes % 256 === 0) this.#prune.run(now - RETENTION_MS);
    return Number(this.#insert.run(id, type, payload, now).lastInsertRowid);
  }

  /**
   * Call right after committing an own change, before emitting it: first
   * delivers what other connections committed before it, so this instance's
   * listeners see every change in commit order; then marks it as seen.
   */
  beforeOwnEvent(seq: number): void {
    if (!this.started) return;
    if (seq > this.#lastSeq + 1) {
      try {
        this.#deliver(this.#between.all(this.#lastSeq, seq) as ChangeRow[]);
      } catch {
        // Unreadable for now: the poller delivers them later, out of order.
        this.#own.add(seq);
        return;
      }
    }
    if (seq > this.#lastSeq) this.#lastSeq = seq;
  }

  /** Starts polling from the current end of the log (listeners get no history). */
  start(): void {
    if (this.started) return;
    this.#lastSeq = this.#maxSeq.get() as number;
    this.#dataVersion = this.#readDataVersion();
    this.#own.clear();
    this.#timer = setInterval(() => this.poll(), this.#options.intervalMs);
    // The feed must not keep a process alive by itself.
    this.#timer.unref();
  }

  /** Stops polling. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#own.clear();
  }

  /**
   * Delivers what other connections committed since the last poll. Errors
   * (the file busy or gone for a moment) leave the position unchanged, so
   * the next poll retries.
   */
  poll(): void {
    if (!this.started) return;
    try {
      const version = this.#readDataVersion();
      if (version === this.#dataVersion) return;
      this.#dataVersion = version;
      this.#deliver(this.#since.all(this.#lastSeq) as ChangeRow[]);
    } catch {
      this.#dataVersion = -1;
    }
  }

  #deliver(rows: readonly ChangeRow[]): void {
    for (const row of rows) {
      if (row.seq <= this.#lastSeq) continue;
      this.#lastSeq = row.seq;
      if (this.#own.delete(row.seq)) continue;
      if (row.type === "revoked") {
        const issuedBefore = Number(row.room);
        if (Number.isSafeInteger(issuedBefore)) this.#options.revoked({ userId: row.room_id, issuedBefore });
      } else {
        const event = this.#event(row);
        if (event !== null) this.#options.emit(event);
      }
      // A listener may have closed the store.
      if (!this.started) return;
    }
  }

  /** The event of a change row, with the room it committed; `null` for a row no writer of this schema makes. */
  #event(row: ChangeRow): RoomChangeEvent | null {
    if (row.type === "deleted") return { type: "deleted", roomId: row.room_id, room: null };
    if (row.room === null || (row.type !== "created" && row.type !== "updated")) return null;
    return { type: row.type, roomId: row.room_id, room: roomFromJson(JSON.parse(row.room)) };
  }

  #readDataVersion(): number {
    return this.#db.pragma("data_version", { simple: true }) as number;
  }
}
