/**
 * The audit trail: one entry per journal entry, appended in the write's own
 * transaction, read newest first. An entry says when, who (the actor), what
 * (the journal entry type) and about which room, user or group, and only
 * what changed: the before/after of each changed entry, never a whole room.
 * A created room is recorded as its permissions, each entry's "after" (its
 * metadata is not).
 */
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { EntryChange, JournalEntry, JournalEntryType, RoomChanges } from "./journal.js";
import { InvalidCursorError, type StoreReadOptions } from "./types.js";
import { integerOption, invalidOption, millisecondsOption } from "../runtime/options.js";

/**
 * The `audit` option of a store: `false` turns the trail off (no entry is
 * built or written); retention by count (`maxEntries`) and/or age
 * (`maxAgeMs`). Default: on, with the store's default retention.
 */
export type AuditOption = boolean | { maxEntries?: number; maxAgeMs?: number };

/** One audit entry, as every store and the REST API return it. Optional fields are present only for the types that have them. */
export type AuditEntry = {
  /** Stable and unique in its store; entries are listed by it, newest first. */
  id: string;
  at: Date;
  actor: string;
  type: JournalEntryType;
  /** The room (for `roomIdUpdated`, its id before). */
  roomId?: string;
  /** `roomIdUpdated`: the room's new id. */
  newRoomId?: string;
  /** `tokensRevoked`, `tokenRevocationCleared`. */
  userId?: string;
  /** The group of a group entry. */
  groupId?: string;
  /** `roomCreated`, `groupCreated`, `groupDeleted`. */
  organizationId?: string;
  /** `roomCreated` (every permission entry as "after") and `roomUpdated` (each changed entry). */
  changes?: RoomChanges;
  /** `tokensRevoked`: the cutoff as stored after it (epoch ms). */
  issuedBefore?: number;
  /** `groupMembersAdded` / `groupMembersRemoved`: the members actually added or removed. */
  memberIds?: string[];
};

/** An audit entry before its store gives it an id. */
export type AuditRecord = Omit<AuditEntry, "id">;

/** One page request of {@link AuditLogStore.getAuditLog}, already validated. */
export type AuditQuery = {
  /** Entries about this room (a rename matches both its ids). */
  roomId?: string;
  actor?: string;
  /** Entries at or after this time (epoch ms). */
  since?: number;
  /** Entries before this time (epoch ms). */
  until?: number;
  /** The page size, already validated (≥ 1). */
  limit: number;
  /** The `nextCursor` of the previous page of the same query. */
  cursor?: string;
};

/** One page of audit entries, newest first; `nextCursor` is `null` on the last page. */
export type AuditPage = { entries: AuditEntry[]; nextCursor: string | null };

/** The optional audit part of a store: read its trail. Entries cannot be changed through it. */
export interface AuditLogStore {
  getAuditLog(query: AuditQuery, options?: StoreReadOptions): Promise<AuditPage>;
}

/** Does `store` keep an audit trail it can read? */
export function hasAuditLog<S extends object>(store: S): store is S & AuditLogStore {
  return typeof (store as Partial<AuditLogStore>).getAuditLog === "function";
}

/** Every entry of `accesses` as added: `{ before: null, after }`, in a null-prototype map. */
function added<T>(accesses: Readonly<Record<string, T>>): Record<string, EntryChange<T>> {
  const changes: Record<string, EntryChange<T>> = Object.create(null);
  for (const key of Object.keys(accesses)) changes[key] = { before: null, after: accesses[key] as T };
  return changes;
}

/**
 * The audit record of a journal entry.
 *
 * @example
 * ```ts
 * const record = auditRecordOf(entry); // { at, actor, type: "roomUpdated", roomId, changes }
 * ```
 */
export function auditRecordOf(entry: JournalEntry): AuditRecord {
  const base = { at: entry.at, actor: entry.actor, type: entry.type };
  switch (entry.type) {
    case "roomCreated": {
      const { room } = entry;
      const changes: RoomChanges = {};
      if (room.defaultAccesses.length > 0) changes.defaultAccesses = { before: null, after: room.defaultAccesses };
      if (Object.keys(room.usersAccesses).length > 0) changes.usersAccesses = added(room.usersAccesses);
      if (Object.keys(room.groupsAccesses).length > 0) changes.groupsAccesses = added(room.groupsAccesses);
      return { ...base, roomId: entry.roomId, organizationId: room.organizationId, changes };
    }
    case "roomUpdated":
      return { ...base, roomId: entry.roomId, changes: entry.changes };
    case "roomDeleted":
      return { ...base, roomId: entry.roomId };
    case "roomIdUpdated":
      return { ...base, roomId: entry.roomId, newRoomId: entry.newRoomId };
    case "tokensRevoked":
      return { ...base, userId: entry.userId, issuedBefore: entry.issuedBefore };
    case "tokenRevocationCleared":
      return { ...base, userId: entry.userId };
    case "groupCreated":
    case "groupDeleted":
      return { ...base, groupId: entry.groupId, organizationId: entry.organizationId };
    case "groupMembersAdded":
    case "groupMembersRemoved":
      return { ...base, groupId: entry.groupId, memberIds: [...entry.memberIds] };
  }
}

/** The part of a record a SQL store keeps as JSON: everything but what it filters on. */
export type AuditDetails = Pick<AuditEntry, "organizationId" | "changes" | "issuedBefore" | "memberIds">;

/** The JSON-able details of `record` (see {@link AuditDetails}). */
export function auditDetailsOf(record: AuditRecord): AuditDetails {
  const details: AuditDetails = {};
  if (record.organizationId !== undefined) details.organizationId = record.organizationId;
  if (record.changes !== undefined) details.changes = record.changes;
  if (record.issuedBefore !== undefined) details.issuedBefore = record.issuedBefore;
  if (record.memberIds !== undefined) details.memberIds = record.memberIds;
  return details;
}

/** The entry of a stored row: its columns and its parsed details, in the one key order every store returns. */
export function auditEntryOf(
  seq: number,
  columns: {
    at: number;
    actor: string;
    type: string;
    roomId: string | null;
    newRoomId: string | null;
    userId: string | null;
    groupId: string | null;
  },
  details: AuditDetails,
): AuditEntry {
  const entry: AuditEntry = { id: String(seq), at: new Date(columns.at), actor: columns.actor, type: columns.type as JournalEntryType };
  if (columns.roomId !== null) entry.roomId = columns.roomId;
  if (columns.newRoomId !== null) entry.newRoomId = columns.newRoomId;
  if (columns.userId !== null) entry.userId = columns.userId;
  if (columns.groupId !== null) entry.groupId = columns.groupId;
  if (details.organizationId !== undefined) entry.organizationId = details.organizationId;
  if (details.changes !== undefined) entry.changes = withNullPrototypes(details.changes);
  if (details.issuedBefore !== undefined) entry.issuedBefore = details.issuedBefore;
  if (details.memberIds !== undefined) entry.memberIds = details.memberIds;
  return entry;
}

/** `changes` parsed from JSON, its maps made null-prototype again (a `__proto__` key stays data). */
function withNullPrototypes(changes: RoomChanges): RoomChanges {
  const out: RoomChanges = {};
  if (changes.defaultAccesses !== undefined) out.defaultAccesses = changes.defaultAccesses;
  for (const part of ["usersAccesses", "groupsAccesses", "metadata"] as const) {
    const map = changes[part];
    if (map === undefined) continue;
    const copy = Object.create(null) as Record<string, EntryChange<never>>;
    for (const key of Object.keys(map)) copy[key] = map[key] as EntryChange<never>;
    (out as Record<string, unknown>)[part] = copy;
  }
  return out;
}

/** The cursor that resumes an audit listing after the entry with sequence `seq` (rooms' cursor format). */
export function auditCursor(seq: number): string {
  return encodeCursor({ ms: seq, id: "audit" });
}

/**
 * The sequence inside a cursor of {@link auditCursor}.
 *
 * @throws {InvalidCursorError} for anything else (a room or group cursor included).
 */
export function auditAfter(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeCursor(cursor);
  if (key.id !== "audit" || key.ms < 1) throw new InvalidCursorError();
  return key.ms;
}

/** Does `record` match the filters of `query` (not its cursor)? For stores that filter in process. */
export function matchesAuditQuery(record: AuditRecord, query: AuditQuery): boolean {
  if (query.roomId !== undefined && record.roomId !== query.roomId && record.newRoomId !== query.roomId) return false;
  if (query.actor !== undefined && record.actor !== query.actor) return false;
  const ms = record.at.getTime();
  if (query.since !== undefined && ms < query.since) return false;
  if (query.until !== undefined && ms >= query.until) return false;
  return true;
}

/** `option` checked: `maxEntries` a positive integer, `maxAgeMs` a positive number of ms (absent: no bound of that kind). */
export function auditSettings(option: AuditOption | undefined): { enabled: boolean; maxEntries?: number; maxAgeMs?: number } {
  if (option === undefined || option === true) return { enabled: true };
  if (option === false) return { enabled: false };
  if (typeof option !== "object" || option === null) throw invalidOption("audit", "a boolean or { maxEntries?, maxAgeMs? }");
  const settings: { enabled: boolean; maxEntries?: number; maxAgeMs?: number } = { enabled: true };
  if (option.maxEntries !== undefined) settings.maxEntries = integerOption("audit.maxEntries", option.maxEntries, 0, 1);
  if (option.maxAgeMs !== undefined) {
    settings.maxAgeMs = millisecondsOption("audit.maxAgeMs", option.maxAgeMs, 0, { positive: true });
  }
  return settings;
}
