/**
 * Audit entries on the wire (`GET /v2/audit-log`): the JSON the HTTP
 * handler answers and `RestStore` reads. `at` is an ISO-8601 string with
 * milliseconds; the other fields are as the stores return them.
 */
import type { AuditEntry } from "../rooms/audit.js";
import type { EntryChange, JournalEntryType, RoomChanges } from "../rooms/journal.js";
import { isObject } from "../runtime/json.js";

/** An audit entry as JSON. */
export type AuditEntryJson = Omit<AuditEntry, "at"> & { at: string };

const TYPES: ReadonlySet<string> = new Set<JournalEntryType>([
  "roomCreated",
  "roomUpdated",
  "roomDeleted",
  "roomIdUpdated",
  "tokensRevoked",
  "tokenRevocationCleared",
  "groupCreated",
  "groupDeleted",
  "groupMembersAdded",
  "groupMembersRemoved",
]);

/**
 * The wire form of `entry`.
 *
 * @example
 * ```ts
 * json({ nextCursor, data: page.entries.map(auditEntryToJson) });
 * ```
 */
export function auditEntryToJson(entry: AuditEntry): AuditEntryJson {
  return { ...entry, at: entry.at.toISOString() };
}

/**
 * An entry read from the wire, checked field by field (what a remote
 * server answers crosses a trust boundary); maps come back null-prototype.
 *
 * @throws {TypeError} naming the first field that is not what it must be.
 */
export function auditEntryFromJson(json: unknown): AuditEntry {
  if (!isObject(json)) throw new TypeError("audit entry must be an object");
  const { id, at, actor, type } = json;
  if (typeof id !== "string") throw new TypeError("audit entry id must be a string");
  const ms = typeof at === "string" ? Date.parse(at) : NaN;
  if (!Number.isFinite(ms)) throw new TypeError("audit entry at must be an ISO date");
  if (typeof actor !== "string") throw new TypeError("audit entry actor must be a string");
  if (typeof type !== "string" || !TYPES.has(type)) throw new TypeError("audit entry type is unknown");
  const entry: AuditEntry = { id, at: new Date(ms), actor, type: type as JournalEntryType };
  for (const field of ["roomId", "newRoomId", "userId", "groupId", "organizationId"] as const) {
    const value = json[field];
    if (value === undefined) continue;
    if (typeof value !== "string") throw new TypeError(`audit entry ${field} must be a string`);
    entry[field] = value;
  }
  if (json["issuedBefore"] !== undefined) {
    if (!Number.isSafeInteger(json["issuedBefore"])) throw new TypeError("audit entry issuedBefore must be an integer");
    entry.issuedBefore = json["issuedBefore"] as number;
  }
  if (json["memberIds"] !== undefined) {
    const ids = json["memberIds"];
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) throw new TypeError("audit entry memberIds must be strings");
    entry.memberIds = ids as string[];
  }
  if (json["changes"] !== undefined) entry.changes = changesFromJson(json["changes"]);
  return entry;
}

function changesFromJson(json: unknown): RoomChanges {
  if (!isObject(json)) throw new TypeError("audit entry changes must be an object");
  const changes: RoomChanges = {};
  if (json["defaultAccesses"] !== undefined) changes.defaultAccesses = changeOf(json["defaultAccesses"], "defaultAccesses") as never;
  for (const part of ["usersAccesses", "groupsAccesses", "metadata"] as const) {
    const map = json[part];
    if (map === undefined) continue;
    if (!isObject(map)) throw new TypeError(`audit entry changes.${part} must be an object`);
    const copy = Object.create(null) as Record<string, EntryChange<never>>;
    for (const key of Object.keys(map)) copy[key] = changeOf(map[key], `${part}.${key}`) as EntryChange<never>;
    (changes as Record<string, unknown>)[part] = copy;
  }
  return changes;
}

/** One `{ before, after }` whose sides are null, a string or a list of strings. */
function changeOf(json: unknown, field: string): EntryChange<string | string[]> {
  if (!isObject(json)) throw new TypeError(`audit entry changes.${field} must be an object`);
  const side = (value: unknown): string | string[] | null => {
    if (value === null || typeof value === "string") return value;
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
    throw new TypeError(`audit entry changes.${field} must hold null, strings or lists of strings`);
  };
  return { before: side(json["before"]), after: side(json["after"]) };
}
