/**
 * The file side of `SqliteStore`: creating the database file private to its
 * owner, and telling a lock held by another connection from other errors.
 */
import { closeSync, openSync } from "node:fs";
import { ERROR_STATUS, LiveblocksError } from "../../protocol/errors.js";

/**
 * The error a {@link SqliteStore} operation rejects with when the database
 * stayed locked by another connection for the whole `busyTimeoutMs`.
 *
 * @example
 * ```ts
 * if (err instanceof SqliteBusyError) retryLater();
 * ```
 */
export class SqliteBusyError extends LiveblocksError {
  constructor(filename: string, timeoutMs: number, options?: { cause?: unknown }) {
    // A LiveblocksError with STORE_UNAVAILABLE (503): roomgate/http answers it with `Retry-After`, not a 500.
    super(
      `SqliteStore: "${filename}" stayed locked by another connection for ${timeoutMs} ms`,
      ERROR_STATUS.STORE_UNAVAILABLE,
      undefined,
      "STORE_UNAVAILABLE",
    );
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
    this.name = "SqliteBusyError";
  }
}

/**
 * Creates `filename` readable by its owner only (0600) unless it exists:
 * rooms, revocations and the audit trail are nobody else's business, and
 * SQLite gives the `-wal` and `-shm` files the database file's permissions.
 * An existing file keeps the permissions its owner chose.
 */
export function createPrivateFile(filename: string): void {
  if (filename === ":memory:" || filename.startsWith("file:")) return;
  try {
    closeSync(openSync(filename, "wx", 0o600));
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EEXIST") throw error;
  }
}

/** Is `error` SQLite's "another connection holds the lock"? */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}
