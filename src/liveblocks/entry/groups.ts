/**
 * The groups an ID token enters with under `groupsFrom: "store"`: the
 * store decides, read at every decision, so a membership added or removed
 * after the token was issued counts at once, and a deleted group grants
 * nothing. The token's own `gids` do not count in this mode (a group the
 * app passed to `identifyUser` that is not stored grants nothing): a
 * deleted group could not be told from one the app made up.
 */
import { DEFAULT_ORGANIZATION, type GroupStore, type RoomStore, type StoreReadOptions } from "../../rooms/types.js";
import type { IdTokenClaims } from "../../tokens/types.js";
import type { Config } from "../options.js";

/** The store's group reads, or `undefined` when it keeps no groups (the token's groups then stand). */
function groupReads(store: RoomStore): Pick<GroupStore, "listGroups"> | undefined {
  return store.listGroups !== undefined ? (store as GroupStore) : undefined;
}

/** The stored groups (of the token's organization) the user of `claims` is a member of now, up to `limits.groupIds`. */
export async function enteringGroups(config: Config, claims: IdTokenClaims, options: StoreReadOptions): Promise<string[]> {
  if (config.groupsFrom !== "store") return claims.gids ?? [];
  return (await storedGroupsOf(config, claims.uid, claims.oid ?? DEFAULT_ORGANIZATION, options)) ?? claims.gids ?? [];
}

/**
 * The stored groups `userId` is a member of now (of `organizationId`, or of
 * every organization when it is `undefined`), up to `limits.groupIds`;
 * `undefined` when the store keeps no groups.
 */
export async function storedGroupsOf(
  config: Config,
  userId: string,
  organizationId: string | undefined,
  options: StoreReadOptions,
): Promise<string[] | undefined> {
  const store = groupReads(config.store);
  if (store === undefined) return undefined;
  const members: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listGroups(
      {
        userId,
        ...(organizationId !== undefined && { organizationId }),
        limit: config.limits.pageSize,
        ...(cursor !== undefined && { cursor }),
      },
      options,
    );
    for (const group of page.groups) if (members.length < config.limits.groupIds) members.push(group.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && members.length < config.limits.groupIds);
  return members;
}
