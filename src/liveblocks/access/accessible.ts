/**
 * `getRooms({ accessibleBy })`: the store's `listAccessible`, with the
 * groups room entry would count (under `groupsFrom: "store"`, the stored
 * memberships, of the organization filtered on if any).
 */
import { notImplemented } from "../../protocol/errors.js";
import type { RoomListPage, RoomListQuery, StoreReadOptions } from "../../rooms/types.js";
import { storedGroupsOf } from "../entry/groups.js";
import type { Config } from "../options.js";

/** Who `getRooms({ accessibleBy })` lists rooms for. */
export type AccessibleByOptions = { userId: string; groupIds?: string[] };

/**
 * One page of the rooms `who` may enter among those `query` matches; 501
 * `NOT_IMPLEMENTED` if the store cannot list them.
 * @internal
 */
export async function listAccessibleRooms(
  config: Config,
  query: RoomListQuery,
  who: AccessibleByOptions,
  options: StoreReadOptions,
): Promise<RoomListPage> {
  const store = config.store;
  if (store.listAccessible === undefined) throw notImplemented("Listing the rooms an identity may enter (getRooms with accessibleBy)");
  const stored = config.groupsFrom === "store" ? await storedGroupsOf(config, who.userId, query.filter.organizationId, options) : undefined;
  return store.listAccessible({ ...query, accessibleBy: { userId: who.userId, groupIds: stored ?? who.groupIds ?? [] } }, options);
}
