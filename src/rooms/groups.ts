/**
 * What every store does the same way with groups: copies handed to callers,
 * and the listing cursor (the id of the last group of a page, so the next
 * page starts strictly after it whatever was added or removed in between).
 */
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { GroupData } from "./types.js";

/** A deep copy of `group`, so mutating it never changes a store. */
export function copyGroup(group: GroupData): GroupData {
  return {
    type: "group",
    id: group.id,
    tenantId: group.organizationId,
    organizationId: group.organizationId,
    createdAt: new Date(group.createdAt.getTime()),
    updatedAt: new Date(group.updatedAt.getTime()),
    scopes: group.scopes.mention === true ? { mention: true } : {},
    members: group.members.map((member) => ({ id: member.id, addedAt: new Date(member.addedAt.getTime()) })),
  };
}

/** The cursor that resumes a group listing after `groupId` (rooms' cursor format, time 0). */
export function groupCursor(groupId: string): string {
  return encodeCursor({ ms: 0, id: groupId });
}

/**
 * The group id inside a cursor of {@link groupCursor}.
 *
 * @throws {InvalidCursorError} for anything else.
 */
export function groupAfter(cursor: string | undefined): string | undefined {
  return cursor === undefined ? undefined : decodeCursor(cursor).id;
}
