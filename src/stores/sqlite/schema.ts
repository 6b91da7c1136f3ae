/**
 * The SQLite schema of `SqliteStore` and its forward migrations. The version
 * lives in a table of its own, so a file written by a newer roomgate is
 * refused instead of being misread.
 */
import type { Database } from "better-sqlite3";
import { PUBLIC_ROOMS_INDEX } from "./accessible.js";

/**
 * Forward migrations, in order: entry `i` brings a database from version `i`
 * to version `i + 1`. Never edit a released entry; append a new one.
 *
 * Rooms live in `rooms`; user entries, group entries and metadata in their
 * own tables, each indexed by what `getRooms` filters on, so every filter is
 * an index lookup. Ids are TEXT with SQLite's default BINARY collation: UTF-8
 * byte order, which is the code point order of `rooms/order.ts`. Child rows
 * follow a rename through `ON UPDATE CASCADE` and go with the room through
 * `ON DELETE CASCADE`. Entry tables repeat the room's `created_at` (which
 * never changes) so that a user's or a group's rooms are read from the index
 * already newest first, and a page stops after `limit` rows, whatever the
 * number of rooms. Child tables keep their rowid: reading by rowid gives
 * back keys in the order they were added, as a JavaScript object does.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE rooms (
    id TEXT PRIMARY KEY NOT NULL,
    created_at INTEGER NOT NULL,
    last_connection_at INTEGER,
    organization_id TEXT NOT NULL,
    default_accesses TEXT NOT NULL
  );
  CREATE INDEX rooms_by_time ON rooms (created_at, id);
  CREATE INDEX rooms_by_organization ON rooms (organization_id, created_at, id);

  CREATE TABLE room_users (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE ON UPDATE CASCADE,
    user_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
  );
  CREATE INDEX room_users_by_user ON room_users (user_id, created_at, room_id);

  CREATE TABLE room_groups (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE ON UPDATE CASCADE,
    group_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, group_id)
  );
  CREATE INDEX room_groups_by_group ON room_groups (group_id, created_at, room_id);

  -- One row per string value or array element (position keeps order and
  -- duplicates); an empty array is one row with a NULL value.
  CREATE TABLE room_metadata (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE ON UPDATE CASCADE,
    key TEXT NOT NULL,
    position INTEGER NOT NULL,
    value TEXT,
    is_array INTEGER NOT NULL,
    PRIMARY KEY (room_id, key, position)
  );
  CREATE INDEX room_metadata_by_value ON room_metadata (key, value, room_id);

  CREATE TABLE revocations (
    user_id TEXT PRIMARY KEY NOT NULL,
    issued_before INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- The change feed other processes poll; AUTOINCREMENT so a pruned
  -- sequence number is never reused.
  CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id TEXT NOT NULL,
    type TEXT NOT NULL,
    -- The room as this change committed it (wire JSON), NULL for a delete.
    room TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX changes_by_time ON changes (at);
  `,
  // Groups (createGroup and the other group methods): members keep their
  // rowid, so reading by rowid gives them back in the order they were added;
  // a user's groups are one index range.
  `
  CREATE TABLE groups (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    scopes TEXT NOT NULL
  );
  CREATE INDEX groups_by_organization ON groups (organization_id, id);

  CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
  );
  CREATE INDEX group_members_by_user ON group_members (user_id, group_id);
  `,
  // listAccessible (getRooms accessibleBy): the rooms whose default is not empty, newest first.
  PUBLIC_ROOMS_INDEX,
  // The audit trail: one row per journal entry, written in the write's
  // transaction; listed newest first (seq descending), by room (either id
  // of a rename), by actor or by time. AUTOINCREMENT: a pruned seq is never
  // reused, so a cursor never skips to a newer entry. Rows are never
  // updated (the trigger refuses it); pruning deletes the oldest.
  `
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    type TEXT NOT NULL,
    room_id TEXT,
    new_room_id TEXT,
    user_id TEXT,
    group_id TEXT,
    details TEXT NOT NULL
  );
  CREATE INDEX audit_log_by_room ON audit_log (room_id, seq) WHERE room_id IS NOT NULL;
  CREATE INDEX audit_log_by_new_room ON audit_log (new_room_id, seq) WHERE new_room_id IS NOT NULL;
  CREATE INDEX audit_log_by_actor ON audit_log (actor, seq);
  CREATE INDEX audit_log_by_time ON audit_log (at);
  CREATE TRIGGER audit_log_immutable BEFORE UPDATE ON audit_log
  BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be changed');
  END;
  `,
  // Webhooks (issue 24): endpoints; events written in the write's
  // transaction and deleted as fan-out copies them into deliveries; one
  // delivery per event and endpoint. IF NOT EXISTS: files opened by the
  // webhook code before this migration already have these tables (it
  // created them itself), and keep their rows. The last two indexes serve
  // retention: finished deliveries are pruned oldest first.
  `
  CREATE TABLE IF NOT EXISTS webhook_endpoints (
    id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    events TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_expires_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS webhook_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    order_key TEXT NOT NULL,
    data TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS webhook_deliveries (
    rid INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_seq INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    order_key TEXT NOT NULL,
    event_data TEXT NOT NULL,
    event_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER,
    last_attempt_at INTEGER,
    last_status_code INTEGER,
    last_error TEXT,
    delivered_at INTEGER,
    lease_owner TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS webhook_deliveries_queue ON webhook_deliveries (endpoint_id, order_key, event_seq) WHERE status = 'pending';
  CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
  CREATE INDEX IF NOT EXISTS webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, rid);
  CREATE INDEX IF NOT EXISTS webhook_deliveries_delivered ON webhook_deliveries (delivered_at) WHERE status = 'delivered';
  CREATE INDEX IF NOT EXISTS webhook_deliveries_failed ON webhook_deliveries (last_attempt_at) WHERE status = 'failed';
  `,
];

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Sets the connection's pragmas (waiting at most `busyTimeoutMs`, blocking,
 * for a lock) and migrates the file to {@link SCHEMA_VERSION} in one
 * immediate transaction, so processes opening the same new file
 * concurrently migrate it once. Safe to run again after it failed.
 *
 * @throws {Error} if the file was written by a newer schema version.
 * @example
 * ```ts
 * prepareDatabase(new Database("rooms.db"), 5000);
 * ```
 */
export function prepareDatabase(db: Database, busyTimeoutMs: number): void {
  // The busy timeout first: switching to WAL needs a lock another process may hold.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.pragma("journal_mode = WAL");
  // FULL: a write that resolved survives a power loss, not only a crash.
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  // Reads from the OS page cache through a mapping instead of a copy per
  // page, and a larger private cache: room entry reads a few random pages.
  db.pragma("mmap_size = 268435456");
  db.pragma("cache_size = -32768");
  db.transaction(() => {
    db.exec("CREATE TABLE IF NOT EXISTS roomgate_schema (version INTEGER NOT NULL)");
    const row = db.prepare("SELECT version FROM roomgate_schema").get() as { version: number } | undefined;
    const version = row?.version ?? 0;
    if (version > SCHEMA_VERSION) {
      throw new Error(`SqliteStore: the database has schema version ${version}, newer than ${SCHEMA_VERSION}; upgrade roomgate to open it`);
    }
    for (let next = version; next < SCHEMA_VERSION; next++) db.exec(MIGRATIONS[next] as string);
    if (row === undefined) db.prepare("INSERT INTO roomgate_schema (version) VALUES (?)").run(SCHEMA_VERSION);
    else if (version !== SCHEMA_VERSION) db.prepare("UPDATE roomgate_schema SET version = ?").run(SCHEMA_VERSION);
  }).immediate();
}
