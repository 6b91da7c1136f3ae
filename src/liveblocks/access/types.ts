/**
 * The public types of roomgate's access queries: `explainAccess`,
 * `getRoomAccessList` and `getRooms({ accessibleBy })`.
 */
import type { AccessExplanation } from "../../permissions/explain.js";
import type { Permission } from "../../permissions/scopes.js";

/**
 * Who `explainAccess` explains: the fields of an ID token. `organizationId`
 * absent means `"default"`, as for a token issued without one.
 *
 * @example
 * ```ts
 * const who: ExplainAccessIdentity = { userId: "carol", groupIds: ["contractors"] };
 * ```
 */
export type ExplainAccessIdentity = { userId: string; groupIds?: string[]; organizationId?: string };

/**
 * The answer of `explainAccess`: the pure explanation of the permissions,
 * with the room and the groups that counted (under `groupsFrom: "store"`,
 * the stored memberships, as room entry reads them).
 *
 * @example
 * ```ts
 * const { allowed, summary, resources } = await liveblocks.explainAccess("doc", { userId: "carol" });
 * ```
 */
export type RoomAccessExplanation = AccessExplanation & {
  roomId: string;
  /** Where the groups came from: the identity given, or the store (`groupsFrom: "store"`). */
  groupsFrom: "identity" | "store";
  /** The groups the decision counted. */
  groupIds: string[];
};

/**
 * What an entry gives on its own: `defaultAccesses` overlaid with that one
 * entry, i.e. what `resolveAccess` gives the user when they are in no group
 * with an entry, or gives a member of that group with no entry of their own
 * and no other group.
 */
export type EffectiveAccess = {
  scopes: readonly Permission[];
  canEnter: boolean;
  canWrite: boolean;
  canComment: boolean;
  isReadOnly: boolean;
};

/** One user or group named in a room, with its stored entry and what it gives on its own. */
export type RoomAccessEntry = {
  kind: "user" | "group";
  id: string;
  /** The entry as stored in `usersAccesses` / `groupsAccesses`. */
  stored: readonly string[];
  effective: EffectiveAccess;
};

/**
 * One page of `getRoomAccessList`: users (by id, code point order), then
 * groups (by id), and the room's default, which is what anyone not named
 * gets (`canEnter: false` for a private room).
 *
 * @example
 * ```ts
 * const { defaultAccess, data, nextCursor } = await liveblocks.getRoomAccessList("doc");
 * ```
 */
export type RoomAccessList = {
  roomId: string;
  organizationId: string;
  defaultAccess: { stored: readonly string[]; effective: EffectiveAccess };
  data: RoomAccessEntry[];
  nextCursor: string | null;
};
