/**
 * An app's own permission model: a workspace document with owners, an
 * editors group, reader groups, viewers and a public link, turned into the
 * `defaultAccesses` / `groupsAccesses` / `usersAccesses` of its room. This
 * module is the app's rule; `resolveAccess` from roomgate is the decision
 * Liveblocks makes from it, so tests of the two together need no store.
 */
import type { Permission, RoomAccessRules } from "roomgate";

/** Who may do what in one workspace document, as the app stores it. */
export type Workspace = {
  /** Users with full access, whatever else they are. */
  owners: readonly string[];
  /** The group whose members edit (e.g. "acme:editors"). */
  editorsGroup: string;
  /** Groups whose members may read (e.g. "acme:contractors"). */
  readerGroups: readonly string[];
  /** Users invited read-only; being a viewer caps them at read even in the editors group. */
  viewers: readonly string[];
  /** Anyone signed in who has the link may view. */
  publicLink: boolean;
};

/** Full access. */
export const EDIT: readonly Permission[] = ["room:write"];
/** Read the document, see the others and show one's own presence (cursor, selection), write nothing. */
export const VIEW: readonly Permission[] = ["room:read", "room:presence:write"];

/** The room permissions for `workspace`: what the app passes to `createRoom` and `updateRoom`. */
export type WorkspaceRoomAccesses = {
  defaultAccesses: Permission[];
  groupsAccesses: Record<string, Permission[]>;
  usersAccesses: Record<string, Permission[]>;
};

/**
 * The room permissions of a workspace. A user's own entry overrides their
 * groups in Liveblocks' resolution, so a viewer stays read-only in the
 * editors group, and an owner (written last) keeps full access.
 *
 * @example
 * ```ts
 * await liveblocks.createRoom(doc.id, roomAccessesOf(doc.workspace));
 * ```
 */
export function roomAccessesOf(workspace: Workspace): WorkspaceRoomAccesses & RoomAccessRules {
  // Null-prototype maps: user and group ids are data, "__proto__" included.
  const groupsAccesses: Record<string, Permission[]> = Object.create(null);
  const usersAccesses: Record<string, Permission[]> = Object.create(null);
  for (const group of workspace.readerGroups) groupsAccesses[group] = [...VIEW];
  groupsAccesses[workspace.editorsGroup] = [...EDIT];
  for (const user of workspace.viewers) usersAccesses[user] = [...VIEW];
  for (const user of workspace.owners) usersAccesses[user] = [...EDIT];
  return { defaultAccesses: workspace.publicLink ? [...VIEW] : [], groupsAccesses, usersAccesses };
}

/** `workspace` without `userId` as owner or viewer (their groups still count). */
export function removeMember(workspace: Workspace, userId: string): Workspace {
  return {
    ...workspace,
    owners: workspace.owners.filter((id) => id !== userId),
    viewers: workspace.viewers.filter((id) => id !== userId),
  };
}

/**
 * The `updateRoom` patch that takes the room of `before` to the room of
 * `after`: changed entries replaced, entries gone sent as `null` (an absent
 * key would leave them in place).
 *
 * @example
 * ```ts
 * await liveblocks.updateRoom(doc.id, roomUpdateOf(doc.workspace, removeMember(doc.workspace, "bob")));
 * ```
 */
export function roomUpdateOf(before: Workspace, after: Workspace) {
  const from = roomAccessesOf(before);
  const to = roomAccessesOf(after);
  return {
    defaultAccesses: to.defaultAccesses,
    groupsAccesses: entriesPatch(from.groupsAccesses, to.groupsAccesses),
    usersAccesses: entriesPatch(from.usersAccesses, to.usersAccesses),
  };
}

function entriesPatch(from: Record<string, Permission[]>, to: Record<string, Permission[]>): Record<string, Permission[] | null> {
  const patch: Record<string, Permission[] | null> = Object.create(null);
  for (const id of Object.keys(from)) if (!Object.hasOwn(to, id)) patch[id] = null;
  for (const id of Object.keys(to)) patch[id] = to[id]!;
  return patch;
}
