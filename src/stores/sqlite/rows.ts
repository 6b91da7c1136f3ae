/**
 * How `SqliteStore` maps rooms to rows: its prepared statements, the
 * decoding of rows into rooms, and the checks of strings SQLite would
 * otherwise store altered.
 */
import type { Database as Connection, Statement } from "better-sqlite3";
import type { RoomAccesses, RoomPermission } from "../../permissions/scopes.js";
import type { RoomData, RoomMetadata, RoomPatch } from "../../rooms/types.js";
import { assertStorableText } from "../../rooms/text.js";

/** A row of `rooms`. */
export type RoomRow = {
  id: string;
  created_at: number;
  last_connection_at: number | null;
  organization_id: string;
  default_accesses: string;
};
/** A user or group entry. */
export type AccessRow = { key: string; scopes: string };
/** One metadata string or array element. */
export type MetadataRow = { key: string; value: string | null; is_array: number };

/** Runs `work` in a deferred transaction, or with `.immediate` in a `BEGIN IMMEDIATE` one. */
export type TransactionRunner = { <T>(work: () => T): T; immediate<T>(work: () => T): T };

/** The one transaction wrapper of a connection (better-sqlite3 builds one per `db.transaction` call). */
export function transactionRunner(db: Connection): TransactionRunner {
  // better-sqlite3's types drop the generic; the runtime passes `work` through.
  return db.transaction((work: () => unknown) => work()) as unknown as TransactionRunner;
}

/** The names of the statements every connection prepares. */
type StatementName =
  | "room"
  | "defaultAccesses"
  | "users"
  | "groups"
  | "metadata"
  | "accessRules"
  | "insertRoom"
  | "setDefaultAccesses"
  | "renameRoom"
  | "deleteRoom"
  | "upsertUser"
  | "deleteUser"
  | "upsertGroup"
  | "deleteGroup"
  | "insertMetadata"
  | "deleteMetadata"
  | "revoke"
  | "revocation"
  | "clearRevocation";

/** Every statement of the store but listings, prepared once per connection. */
export function prepareStatements(db: Connection): Record<StatementName, Statement> {
  const columns = "id, created_at, last_connection_at, organization_id, default_accesses";
  return {
    room: db.prepare(`SELECT ${columns} FROM rooms WHERE id = ?`),
    defaultAccesses: db.prepare("SELECT default_accesses FROM rooms WHERE id = ?").pluck(),
    users: db.prepare("SELECT user_id AS key, scopes FROM room_users WHERE room_id = ? ORDER BY rowid"),
    groups: db.prepare("SELECT group_id AS key, scopes FROM room_groups WHERE room_id = ? ORDER BY rowid"),
    metadata: db.prepare("SELECT key, value, is_array FROM room_metadata WHERE room_id = ? ORDER BY rowid"),
    accessRules: db.prepare(
      `SELECT r.default_accesses, r.organization_id,
        (SELECT scopes FROM room_users WHERE room_id = r.id AND user_id = ?) AS user_scopes,
        (SELECT json_group_array(json_array(group_id, json(scopes))) FROM room_groups
          WHERE room_id = r.id AND group_id IN (SELECT value FROM json_each(?))) AS groups
      FROM rooms r WHERE r.id = ?`,
    ),
    insertRoom: db.prepare(`INSERT INTO rooms (${columns}) VALUES (?, ?, ?, ?, ?)`),
    setDefaultAccesses: db.prepare("UPDATE rooms SET default_accesses = ? WHERE id = ?"),
    renameRoom: db.prepare("UPDATE rooms SET id = ? WHERE id = ?"),
    deleteRoom: db.prepare("DELETE FROM rooms WHERE id = ?"),
    // ON CONFLICT … DO UPDATE keeps the rowid, so a replaced key keeps its place.
    upsertUser: db.prepare(
      "INSERT INTO room_users (room_id, user_id, scopes, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (room_id, user_id) DO UPDATE SET scopes = excluded.scopes",
    ),
    deleteUser: db.prepare("DELETE FROM room_users WHERE room_id = ? AND user_id = ?"),
    upsertGroup: db.prepare(
      "INSERT INTO room_groups (room_id, group_id, scopes, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (room_id, group_id) DO UPDATE SET scopes = excluded.scopes",
    ),
    deleteGroup: db.prepare("DELETE FROM room_groups WHERE room_id = ? AND group_id = ?"),
    insertMetadata: db.prepare("INSERT INTO room_metadata (room_id, key, position, value, is_array) VALUES (?, ?, ?, ?, ?)"),
    deleteMetadata: db.prepare("DELETE FROM room_metadata WHERE room_id = ? AND key = ?"),
    revoke: db.prepare(
      "INSERT INTO revocations (user_id, issued_before) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET issued_before = max(issued_before, excluded.issued_before)",
    ),
    revocation: db.prepare("SELECT issued_before FROM revocations WHERE user_id = ?").pluck(),
    clearRevocation: db.prepare("DELETE FROM revocations WHERE user_id = ?"),
  };
}

/** A null-prototype map of entries, in the order they were added. */
export function accessesOf(rows: readonly AccessRow[]): RoomAccesses {
  const accesses: RoomAccesses = Object.create(null);
  for (const row of rows) accesses[row.key] = JSON.parse(row.scopes) as RoomPermission;
  return accesses;
}

/** Metadata from its rows: strings, and arrays in position order with duplicates. */
export function metadataOf(rows: readonly MetadataRow[]): RoomMetadata {
  const metadata: RoomMetadata = Object.create(null);
  for (const row of rows) {
    if (row.is_array === 0) {
      metadata[row.key] = row.value as string;
      continue;
    }
    const array = (Object.hasOwn(metadata, row.key) ? metadata[row.key] : (metadata[row.key] = [])) as string[];
    if (row.value !== null) array.push(row.value);
  }
  return metadata;
}

/** Throws unless `value` is text SQLite stores as given (it would write U+FFFD for a lone surrogate). */
export function checkText(value: string, field: string): string {
  assertStorableText(value, `SqliteStore: ${field}`);
  return value;
}

/** Checks every string of a room to be stored. */
export function checkRoom(room: RoomData): void {
  checkText(room.id, "room id");
  checkText(room.organizationId, "organizationId");
  if (!Number.isSafeInteger(room.createdAt.getTime())) {
    throw new TypeError(`Room "${room.id}" has an invalid createdAt`);
  }
  if (room.lastConnectionAt !== undefined && !Number.isSafeInteger(room.lastConnectionAt.getTime())) {
    throw new TypeError(`Room "${room.id}" has an invalid lastConnectionAt`);
  }
  checkMap(room.usersAccesses, "usersAccesses", false);
  checkMap(room.groupsAccesses, "groupsAccesses", false);
  checkMap(room.metadata, "metadata", true);
}

/** Checks every key and value of a patch. */
export function checkPatch(patch: RoomPatch): void {
  // `null` clears a map: nothing in it to check.
  if (patch.usersAccesses != null) checkMap(patch.usersAccesses, "usersAccesses", false);
  if (patch.groupsAccesses != null) checkMap(patch.groupsAccesses, "groupsAccesses", false);
  if (patch.metadata != null) checkMap(patch.metadata, "metadata", true);
}

function checkMap(map: Record<string, unknown>, field: string, values: boolean): void {
  for (const key of Object.keys(map)) {
    checkText(key, `${field} key`);
    if (!values) continue;
    const value = map[key];
    if (typeof value === "string") checkText(value, `${field} value`);
    else if (Array.isArray(value)) for (const element of value) checkText(element as string, `${field} value`);
  }
}
