/**
 * What the permission core reads: the permission part of a room, and who is
 * entering it. Types only.
 */

/**
 * The permission part of a room, as `RoomData` holds it.
 */
export type RoomAccessRules = {
  readonly defaultAccesses: readonly string[];
  readonly groupsAccesses?: { readonly [groupId: string]: readonly string[] } | undefined;
  readonly usersAccesses?: { readonly [userId: string]: readonly string[] } | undefined;
};

/**
 * Who is entering: the user id and the groups an ID token carries.
 */
export type AccessIdentity = {
  readonly userId: string;
  readonly groupIds?: readonly string[] | undefined;
};
