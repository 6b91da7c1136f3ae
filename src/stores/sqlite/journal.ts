/**
 * The journal seam of `SqliteStore`: the writers it calls with each journal
 * entry, synchronously, inside the write's `BEGIN IMMEDIATE` transaction, so
 * what they append commits or rolls back with the write.
 */
import type { Database as Connection } from "better-sqlite3";
import type { JournalEntry } from "../../rooms/journal.js";

/**
 * A writer of journal entries into the store's file (the audit trail, a
 * webhook outbox). `append` runs inside the write's transaction on `db`; if
 * it throws, the write rolls back and rejects with its error.
 *
 * @example
 * ```ts
 * store.registerJournalWriter({ append: (db, entry) => db.prepare("INSERT INTO outbox …").run(…) });
 * ```
 */
export interface SqliteJournalWriter {
  append(db: Connection, entry: JournalEntry): void;
}
