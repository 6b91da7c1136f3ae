/**
 * Rooms as the Liveblocks REST API v2 writes them: the JSON both the HTTP
 * handler answers and the REST store reads, in one place. Dates are ISO-8601
 * strings with milliseconds; maps keyed by user-supplied ids come back as
 * null-prototype objects, so `__proto__` stays an ordinary key.
 */
import type { RoomData } from "../rooms/types.js";
import { isObject } from "../runtime/json.js";

/**
 * A room as JSON on the wire (what `@liveblocks/node` parses).
 */
type RoomJson = Omit<RoomData, "createdAt" | "lastConnectionAt"> & {
  createdAt: string;
  lastConnectionAt?: string;
};

/**
 * The wire form of `room`, keys in the order Liveblocks sends them.
 *
 * @example
 * ```ts
 * new Response(JSON.stringify(roomToJson(room)), { headers: { "content-type": "application/json" } });
 * ```
 */
export function roomToJson(room: RoomData): RoomJson {
  return {
    type: "room",
    id: room.id,
    organizationId: room.organizationId,
    createdAt: room.createdAt.toISOString(),
    ...(room.lastConnectionAt !== undefined && { lastConnectionAt: room.lastConnectionAt.toISOString() }),
    metadata: room.metadata,
    defaultAccesses: room.defaultAccesses,
    groupsAccesses: room.groupsAccesses,
    usersAccesses: room.usersAccesses,
  };
}

/**
 * A room read from the wire, checked field by field: a server that answers
 * something else is an error, not a room.
 *
 * @throws {TypeError} naming the first field that is not what a room has.
 * @example
 * ```ts
 * const room = roomFromJson(await response.json());
 * ```
 */
export function roomFromJson(value: unknown): RoomData {
  if (!isObject(value)) throw new TypeError("A room must be a JSON object");
  const id = value["id"];
  if (typeof id !== "string" || id.length === 0) throw new TypeError('A room needs a non-empty string "id"');
  const createdAt = toDate(value["createdAt"], "createdAt");
  const room: RoomData = {
    type: "room",
    id,
    createdAt,
    organizationId: typeof value["organizationId"] === "string" ? value["organizationId"] : "default",
    defaultAccesses: toScopes(value["defaultAccesses"], "defaultAccesses") as RoomData["defaultAccesses"],
    usersAccesses: toAccesses(value["usersAccesses"], "usersAccesses"),
    groupsAccesses: toAccesses(value["groupsAccesses"], "groupsAccesses"),
    metadata: toMetadata(value["metadata"]),
  };
  const lastConnectionAt = value["lastConnectionAt"];
  if (lastConnectionAt !== undefined && lastConnectionAt !== null) {
    room.lastConnectionAt = toDate(lastConnectionAt, "lastConnectionAt");
  }
  return room;
}

function toDate(value: unknown, field: string): Date {
  const date = typeof value === "string" ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new TypeError(`A room's "${field}" must be an ISO-8601 date string`);
  }
  return date;
}

function toScopes(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((scope) => typeof scope === "string")) {
    throw new TypeError(`A room's "${field}" must be an array of strings`);
  }
  return [...value];
}

function toAccesses(value: unknown, field: string): RoomData["usersAccesses"] {
  const out: RoomData["usersAccesses"] = Object.create(null);
  if (value === undefined || value === null) return out;
  if (!isObject(value)) throw new TypeError(`A room's "${field}" must be an object`);
  for (const key of Object.keys(value)) {
    out[key] = toScopes(value[key], `${field}.${key}`) as RoomData["defaultAccesses"];
  }
  return out;
}

function toMetadata(value: unknown): RoomData["metadata"] {
  const out: RoomData["metadata"] = Object.create(null);
  if (value === undefined || value === null) return out;
  if (!isObject(value)) throw new TypeError('A room\'s "metadata" must be an object');
  for (const key of Object.keys(value)) {
    const entry = value[key];
    if (typeof entry === "string") out[key] = entry;
    else out[key] = toScopes(entry, `metadata.${key}`);
  }
  return out;
}
