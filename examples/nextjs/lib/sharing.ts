/**
 * The share dialog's model, as Liveblocks' permission guide describes it: a
 * room is private (`defaultAccesses: []`) or public, and users and groups are
 * invited with "can edit" or "can view" access.
 */
import type { RoomData } from "roomgate";

/** What the dialog offers: edit, or view (see others and be seen, change nothing). */
export type AccessLevel = "read" | "write";

/** The scopes of each level, as the guide lists them. */
export const ACCESS_SCOPES = {
  read: ["room:read", "room:presence:write"],
  write: ["room:write"],
} as const satisfies Record<AccessLevel, readonly string[]>;

/** A room's sharing, as the dialog shows it. */
export type Sharing = {
  roomId: string;
  visibility: "private" | "public";
  /** What everyone gets when the room is public. */
  publicAccess: AccessLevel | null;
  users: { id: string; access: AccessLevel }[];
  groups: { id: string; access: AccessLevel }[];
};

/** `true` when `value` names an access level. */
export function isAccessLevel(value: unknown): value is AccessLevel {
  return value === "read" || value === "write";
}

function levelOf(scopes: readonly string[]): AccessLevel | null {
  if (scopes.length === 0) return null;
  return scopes.includes("room:write") ? "write" : "read";
}

function entries(accesses: Record<string, readonly string[]>): { id: string; access: AccessLevel }[] {
  const list: { id: string; access: AccessLevel }[] = [];
  for (const [id, scopes] of Object.entries(accesses)) {
    const access = levelOf(scopes);
    if (access !== null) list.push({ id, access });
  }
  return list.sort((a, b) => a.id.localeCompare(b.id));
}

/** The dialog's view of `room`. */
export function toSharing(room: RoomData): Sharing {
  const publicAccess = levelOf(room.defaultAccesses);
  return {
    roomId: room.id,
    visibility: publicAccess === null ? "private" : "public",
    publicAccess,
    users: entries(room.usersAccesses),
    groups: entries(room.groupsAccesses),
  };
}
