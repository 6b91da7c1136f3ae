/**
 * How {@link PostgresStore} maps rooms to rows and filters to SQL: the
 * column lists, the parameters of a write, a row back to a room, and the
 * WHERE clause of a `RoomFilter` (the meaning of `matchesFilter`, in SQL).
 */
import type { RoomAccesses, RoomPermission } from "../../permissions/scopes.js";
import { cloneRoom } from "../../rooms/patch.js";
import type { RoomData, RoomFilter, RoomMetadata } from "../../rooms/types.js";
import { assertStorableText } from "../../rooms/text.js";

/** A `rooms` row as `pg` returns it (int8 as string, json parsed). */
export type RoomRow = {
  id: string;
  created_at: string;
  last_connection_at: string | null;
  organization_id: string;
  doc: RoomDoc;
};

/** The `doc` column: a room's lists and maps as written, key order included. */
type RoomDoc = {
  defaultAccesses: string[];
  usersAccesses: Record<string, string[]>;
  groupsAccesses: Record<string, string[]>;
  metadata: Record<string, string | string[]>;
};

/** What reads select. */
export const ROOM_COLUMNS = "id, created_at, last_connection_at, organization_id, doc";
/** What writes insert, in the order of {@link roomParams}. */
export const WRITE_COLUMNS =
  "id, created_at, last_connection_at, organization_id, default_accesses, users_accesses, groups_accesses, metadata, doc";

/** The WHERE conditions of `filter`, with their parameters appended to `params`. */
export function filterSql(filter: RoomFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.roomId !== undefined) where.push(`id = ${param(filter.roomId)}`);
  if (filter.roomIdPrefix !== undefined) {
    // A literal prefix: no LIKE, so `%` and `_` mean themselves.
    const prefix = param(filter.roomIdPrefix);
    where.push(`left(id, char_length(${prefix}::text)) = ${prefix}::text COLLATE "C"`);
  }
  if (filter.organizationId !== undefined) where.push(`organization_id = ${param(filter.organizationId)}`);
  const groupIds = [...new Set(filter.groupIds ?? [])];
  if (filter.userId !== undefined || groupIds.length > 0) {
    const either: string[] = [];
    if (filter.userId !== undefined) either.push(`users_accesses ? ${param(filter.userId)}::text`);
    if (groupIds.length > 0) either.push(`groups_accesses ?| ${param(groupIds)}::text[]`);
    where.push(`(${either.join(" OR ")})`);
  }
  for (const [key, value] of filter.metadata ?? []) {
    // A string equal to the value, or an array containing it: two containments, both answered by the GIN index.
    const k = JSON.stringify(key);
    const v = JSON.stringify(value);
    where.push(`(metadata @> ${param(`{${k}:${v}}`)}::jsonb OR metadata @> ${param(`{${k}:[${v}]}`)}::jsonb)`);
  }
  return where;
}

export function roomParams(room: RoomData): unknown[] {
  const doc: RoomDoc = {
    defaultAccesses: room.defaultAccesses,
    usersAccesses: room.usersAccesses,
    groupsAccesses: room.groupsAccesses,
    metadata: room.metadata,
  };
  return [
    room.id,
    room.createdAt.getTime(),
    room.lastConnectionAt === undefined ? null : room.lastConnectionAt.getTime(),
    room.organizationId,
    json(room.defaultAccesses),
    json(room.usersAccesses),
    json(room.groupsAccesses),
    json(room.metadata),
    json(doc),
  ];
}

/** json parameters go as JSON text: `pg` would send a JS array as a Postgres array. */
function json(value: unknown): string {
  return JSON.stringify(value);
}

export function rowToRoom(row: RoomRow): RoomData {
  const { doc } = row;
  const room: RoomData = {
    type: "room",
    id: row.id,
    createdAt: new Date(Number(row.created_at)),
    organizationId: row.organization_id,
    defaultAccesses: [...doc.defaultAccesses] as RoomPermission,
    usersAccesses: toAccesses(doc.usersAccesses),
    groupsAccesses: toAccesses(doc.groupsAccesses),
    metadata: toMetadata(doc.metadata),
  };
  if (row.last_connection_at !== null) {
    // Key order of @liveblocks/node: lastConnectionAt right after createdAt.
    return cloneRoom({ ...room, lastConnectionAt: new Date(Number(row.last_connection_at)) });
  }
  return room;
}

/**
 * The room of a row as the caller's own copy, in the shape `@liveblocks/node`
 * hands out: `doc` was parsed from this row's JSON alone, so its lists and
 * maps are fresh plain objects nobody else holds (JSON.parse makes
 * `__proto__` an own data key), used as they are instead of copied twice.
 */
export function rowToPlainRoom(row: RoomRow): RoomData {
  const { doc } = row;
  const createdAt = new Date(Number(row.created_at));
  // Key order is @liveblocks/node's (and plainRoomCopy's): lastConnectionAt, when present, follows createdAt.
  return row.last_connection_at === null
    ? {
        type: "room",
        id: row.id,
        createdAt,
        organizationId: row.organization_id,
        defaultAccesses: doc.defaultAccesses as RoomPermission,
        usersAccesses: doc.usersAccesses as RoomAccesses,
        groupsAccesses: doc.groupsAccesses as RoomAccesses,
        metadata: doc.metadata,
      }
    : {
        type: "room",
        id: row.id,
        createdAt,
        lastConnectionAt: new Date(Number(row.last_connection_at)),
        organizationId: row.organization_id,
        defaultAccesses: doc.defaultAccesses as RoomPermission,
        usersAccesses: doc.usersAccesses as RoomAccesses,
        groupsAccesses: doc.groupsAccesses as RoomAccesses,
        metadata: doc.metadata,
      };
}

/** Null-prototype maps: JSON.parse makes `__proto__` an own key, kept as data here. */
export function toAccesses(source: Record<string, string[]>): RoomAccesses {
  const map: RoomAccesses = Object.create(null);
  for (const key of Object.keys(source)) map[key] = source[key] as RoomPermission;
  return map;
}

function toMetadata(source: Record<string, string | string[]>): RoomMetadata {
  const map: RoomMetadata = Object.create(null);
  for (const key of Object.keys(source)) map[key] = source[key] as string | string[];
  return map;
}

/** Throws unless `value` is text Postgres stores as given; the facade rejects such text first, so this guards direct callers. */
export function checkText(value: string, field: string): void {
  assertStorableText(value, field);
}
