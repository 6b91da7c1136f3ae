/**
 * How `SqliteStore` writes a room into its tables: a new room row with its
 * entry rows, and a patch as the rows of the keys it names. Synchronous
 * statements the store runs inside its write transaction.
 */
import type { RoomData, RoomPatch } from "../../rooms/types.js";
import type { prepareStatements } from "./rows.js";

/** The store's prepared statements. */
type Statements = ReturnType<typeof prepareStatements>;

/** Inserts `room` and its user, group and metadata rows. */
export function insertRoom(sql: Statements, room: RoomData): void {
  const ms = room.createdAt.getTime();
  sql.insertRoom.run(room.id, ms, room.lastConnectionAt?.getTime() ?? null, room.organizationId, JSON.stringify(room.defaultAccesses));
  for (const key of Object.keys(room.usersAccesses)) {
    sql.upsertUser.run(room.id, key, JSON.stringify(room.usersAccesses[key]), ms);
  }
  for (const key of Object.keys(room.groupsAccesses)) {
    sql.upsertGroup.run(room.id, key, JSON.stringify(room.groupsAccesses[key]), ms);
  }
  for (const key of Object.keys(room.metadata)) insertMetadata(sql, room.id, key, room.metadata[key] as string | string[]);
}

/** Writes the keys `patch` names (every key of `before` for a map it clears with `null`), with their values in `after`. */
export function writePatch(sql: Statements, roomId: string, patch: RoomPatch, before: RoomData, after: RoomData): void {
  if (patch.defaultAccesses !== undefined) {
    sql.setDefaultAccesses.run(JSON.stringify(after.defaultAccesses), roomId);
  }
  const maps = [
    [patch.usersAccesses === null ? before.usersAccesses : patch.usersAccesses, after.usersAccesses, sql.upsertUser, sql.deleteUser],
    [patch.groupsAccesses === null ? before.groupsAccesses : patch.groupsAccesses, after.groupsAccesses, sql.upsertGroup, sql.deleteGroup],
  ] as const;
  for (const [changes, result, upsert, remove] of maps) {
    for (const key of Object.keys(changes ?? {})) {
      if (Object.hasOwn(result, key)) upsert.run(roomId, key, JSON.stringify(result[key]), after.createdAt.getTime());
      else remove.run(roomId, key);
    }
  }
  for (const key of Object.keys((patch.metadata === null ? before.metadata : patch.metadata) ?? {})) {
    sql.deleteMetadata.run(roomId, key);
    if (Object.hasOwn(after.metadata, key)) insertMetadata(sql, roomId, key, after.metadata[key] as string | string[]);
  }
}

/** One row per string value or array element (position keeps order and duplicates); an empty array is one row with a NULL value. */
function insertMetadata(sql: Statements, roomId: string, key: string, value: string | string[]): void {
  if (typeof value === "string") {
    sql.insertMetadata.run(roomId, key, 0, value, 0);
  } else if (value.length === 0) {
    sql.insertMetadata.run(roomId, key, 0, null, 1);
  } else {
    value.forEach((element, position) => sql.insertMetadata.run(roomId, key, position, element, 1));
  }
}
