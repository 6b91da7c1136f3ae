/**
 * The cross-process change feed of `SqliteStore`: every write appends a row
 * to the `changes` table in its own transaction; each store instance with
 * listeners polls for rows other connections committed (cheaply, through
 * `PRAGMA data_version`) and turns them into events.
 */
import type { Database, Statement } from "better-sqlite3";
import type { RoomChangeEvent, RoomData } from "./types.js";

/** A change as written in the `changes` table. */
export type ChangeType = RoomChangeEvent["type"];

/** How long change rows are kept: pollers run every few hundred ms. */
const RETENTION_MS = 5 * 60_000;

/**
 * Options of {@link ChangeFeed}.
 *
 * @example
 * ```ts
 * new ChangeFeed(db, { intervalMs: 100, readRoom, emit });
 * ```
 */
export type ChangeFeedOptions = {
  intervalMs: number;
  /** The room as currently stored, or `null`. */
  readRoom: (roomId: string) => RoomData | null;
  emit: (event: RoomChangeEvent) => void;
};

/**
 * Writes change rows and, while started, delivers the ones other
 * connections wrote, in commit (sequence) order. The instance's own changes
 * are emitted by the store right after commit; the feed skips them.
 *
 * @example
 * ```ts
 * const feed = new ChangeFeed(db, options);
 * feed.start();
 * db.transaction(() => { ...; ownSeq = feed.record("r", "updated"); })();
 * feed.delivered(ownSeq);
 * ```
 */
export class ChangeFeed {
  readonly #db: Database;
  readonly #options: ChangeFeedOptions;
  readonly #insert: Statement<[string, string, number]>;
  readonly #since: Statement<[number]>;
  readonly #maxSeq: Statement<[]>;
  readonly #prune: Statement<[number]>;
  #timer: NodeJS.Timeout | undefined;
  /** The highest sequence number delivered or skipped. */
  #lastSeq = 0;
  /** Own changes committed after a gap the poller has not read yet. */
  readonly #own = new Set<number>();
  #dataVersion = -1;
  #writes = 0;

  constructor(db: Database, options: ChangeFeedOptions) {
    this.#db = db;
    this.#options = options;
    this.#insert = db.prepare("INSERT INTO changes (room_id, type, at) VALUES (?, ?, ?)");
    this.#since = db.prepare("SELECT seq, room_id, type FROM changes WHERE seq > ? ORDER BY seq");
    this.#maxSeq = db.prepare("SELECT coalesce(max(seq), 0) AS seq FROM changes").pluck();
    this.#prune = db.prepare("DELETE FROM changes WHERE at < ?");
  }

  /** Is the poller running? */
  get started(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Appends a change row; call inside the write's transaction. Every few
   * hundred writes also prunes rows past the retention, so the log stays small.
   */
  record(roomId: string, type: ChangeType): number {
    const now = Date.now();
    if (++this.#writes % 256 === 0) this.#prune.run(now - RETENTION_MS);
    return Number(this.#insert.run(roomId, type, now).lastInsertRowid);
  }

  /** Marks an own change, already emitted by the store, as not to be polled again. */
  delivered(seq: number): void {
    if (!this.started) return;
    // No gap: nothing from other connections is waiting before it.
    if (seq === this.#lastSeq + 1) this.#lastSeq = seq;
    else this.#own.add(seq);
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
      const rows = this.#since.all(this.#lastSeq) as { seq: number; room_id: string; type: ChangeType }[];
      for (const row of rows) {
        this.#lastSeq = row.seq;
        if (this.#own.delete(row.seq)) continue;
        const event = this.#event(row.room_id, row.type);
        if (event !== null) this.#options.emit(event);
        // A listener may have closed the store.
        if (!this.started) return;
      }
    } catch {
      this.#dataVersion = -1;
    }
  }

  /** The event for a change, with the room as stored now; `null` if it is gone since. */
  #event(roomId: string, type: ChangeType): RoomChangeEvent | null {
    if (type === "deleted") return { type, roomId, room: null };
    const room = this.#options.readRoom(roomId);
    // Deleted (or renamed) since: its own `deleted` row follows.
    return room === null ? null : { type, roomId, room };
  }

  #readDataVersion(): number {
    return this.#db.pragma("data_version", { simple: true }) as number;
  }
}
