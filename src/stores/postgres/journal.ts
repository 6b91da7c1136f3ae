/**
 * The journal seam of `PostgresStore`: the writers it calls with each
 * journal entry inside the write's transaction, on the transaction's client,
 * so what they append commits or rolls back with the write.
 */
import type { PoolClient } from "pg";
import type { JournalEntry } from "../../rooms/journal.js";

/**
 * A writer of journal entries into the store's database (the audit trail, a
 * webhook outbox). `append` runs inside the write's transaction on `client`;
 * if it rejects, the write rolls back and rejects with its error.
 *
 * @example
 * ```ts
 * store.registerJournalWriter({ append: (client, entry) => client.query("INSERT INTO outbox …", […]).then(() => {}) });
 * ```
 */
export interface PostgresJournalWriter {
  append(client: PoolClient, entry: JournalEntry): Promise<void>;
}
