/**
 * The journal: what a store records, inside the transaction of a write, about
 * the write it makes. The audit trail and the webhook outbox are both written
 * from a journal entry, so they describe a change the same way and commit (or
 * roll back) with it.
 */
import type { RoomPermission } from "../permissions/scopes.js";
import type { RoomData } from "./types.js";

/** Who made a write when the caller names nobody. */
export const DEFAULT_ACTOR = "api";

/** One changed entry: its value before and after the write (`null`: absent). */
export type EntryChange<T> = { before: T | null; after: T | null };

/**
 * What a write changed in a room, entry by entry: only the entries whose
 * value changed, never the whole room. Maps are null-prototype objects.
 */
export type RoomChanges = {
  defaultAccesses?: EntryChange<RoomPermission>;
  usersAccesses?: Record<string, EntryChange<RoomPermission>>;
  groupsAccesses?: Record<string, EntryChange<RoomPermission>>;
  metadata?: Record<string, EntryChange<string | string[]>>;
};

/** What every journal entry carries: when and by whom. */
type Recorded = { at: Date; actor: string };

/** One write, as a store records it in the write's own transaction. */
export type JournalEntry = Recorded &
  (
    | { type: "roomCreated"; roomId: string; room: RoomData }
    | { type: "roomUpdated"; roomId: string; changes: RoomChanges }
    | { type: "roomDeleted"; roomId: string }
    | { type: "roomIdUpdated"; roomId: string; newRoomId: string }
    | { type: "tokensRevoked"; userId: string; issuedBefore: number }
    | { type: "tokenRevocationCleared"; userId: string }
    | { type: "groupCreated" | "groupDeleted"; groupId: string; organizationId: string }
    | { type: "groupMembersAdded" | "groupMembersRemoved"; groupId: string; memberIds: string[] }
  );

/** The journal entry types, by name. */
export type JournalEntryType = JournalEntry["type"];

function sameValue(a: readonly string[] | string, b: readonly string[] | string): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function mapChanges<T extends readonly string[] | string>(
  before: Readonly<Record<string, T>>,
  after: Readonly<Record<string, T>>,
): Record<string, EntryChange<T>> | undefined {
  const changes: Record<string, EntryChange<T>> = Object.create(null);
  let changed = false;
  for (const key of Object.keys(before)) {
    const old = before[key] as T;
    const now = Object.hasOwn(after, key) ? (after[key] as T) : null;
    if (now === null || !sameValue(old, now)) {
      changes[key] = { before: old, after: now };
      changed = true;
    }
  }
  for (const key of Object.keys(after)) {
    if (Object.hasOwn(before, key)) continue;
    changes[key] = { before: null, after: after[key] as T };
    changed = true;
  }
  return changed ? changes : undefined;
}

/**
 * The entries a write changed between two versions of a room, or `null` if
 * nothing that a journal records changed. Permission lists compare in order,
 * as stored.
 *
 * @example
 * ```ts
 * roomChanges(before, after)?.usersAccesses?.["ada"]; // { before: ["room:read"], after: null }
 * ```
 */
export function roomChanges(before: RoomData, after: RoomData): RoomChanges | null {
  const changes: RoomChanges = {};
  if (!sameValue(before.defaultAccesses, after.defaultAccesses)) {
    changes.defaultAccesses = { before: before.defaultAccesses, after: after.defaultAccesses };
  }
  const users = mapChanges(before.usersAccesses, after.usersAccesses);
  if (users !== undefined) changes.usersAccesses = users;
  const groups = mapChanges(before.groupsAccesses, after.groupsAccesses);
  if (groups !== undefined) changes.groupsAccesses = groups;
  const metadata = mapChanges(before.metadata, after.metadata);
  if (metadata !== undefined) changes.metadata = metadata;
  return Object.keys(changes).length === 0 ? null : changes;
}
