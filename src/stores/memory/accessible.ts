/**
 * `MemoryStore.listAccessible`: the rooms an identity may enter, drawn from
 * the union of three kinds of index lists (rooms whose default is not
 * empty, the user's rooms, each group's rooms) through the same planner as
 * `list`, so a page walks about what it returns; each candidate is then
 * checked exactly (`grantsEntry` per layer) with the other filters.
 */
import { grantsEntry } from "../../permissions/enterable.js";
import { encodeCursor } from "../../rooms/cursor.js";
import type { SortKey } from "../../rooms/order.js";
import type { AccessibleBy, AccessibleListQuery, RoomData, RoomListPage } from "../../rooms/types.js";
import { candidates, keyOf, type RoomIndexes } from "./planner.js";
import type { RankList } from "./rank-list.js";
import type { StoredRoom } from "./stored-room.js";

/** The key of the one list of {@link PublicRooms}. */
const PUBLIC = "";

/**
 * The index of rooms whose `defaultAccesses` is not empty, as a map of one
 * key, so the store maintains it with the code it maintains its other
 * per-key indexes with.
 */
export type PublicRooms = Map<string, RankList>;

/** The keys a room has in {@link PublicRooms}: `[""]` when its default is not empty. */
export function publicKeys(room: StoredRoom): readonly string[] {
  return room.defaultAccesses.length > 0 ? PUBLIC_KEYS : NO_KEYS;
}

const PUBLIC_KEYS: readonly string[] = Object.freeze([PUBLIC]);
const NO_KEYS: readonly string[] = Object.freeze([]);

/** One page of the rooms `query.accessibleBy` may enter among those matching `query.filter`. */
export function listAccessible(
  indexes: RoomIndexes,
  publicRooms: PublicRooms,
  query: AccessibleListQuery,
  after: SortKey | undefined,
): RoomListPage {
  const { filter, limit, accessibleBy } = query;
  const lists: RankList[] = [];
  const add = (list: RankList | undefined) => {
    if (list !== undefined) lists.push(list);
  };
  add(publicRooms.get(PUBLIC));
  add(indexes.byUser.get(accessibleBy.userId));
  for (const groupId of new Set(accessibleBy.groupIds)) add(indexes.byGroup.get(groupId));
  const next = candidates(indexes, filter, after, lists);
  const rooms: RoomData[] = [];
  let last: StoredRoom | undefined;
  for (let room = next(); room !== undefined; room = next()) {
    if (!room.matches(filter) || !isEnterable(room, accessibleBy)) continue;
    // One match beyond the page proves there is a next page.
    if (rooms.length === limit) return { rooms, nextCursor: encodeCursor(keyOf(last as StoredRoom)) };
    rooms.push(room.copy());
    last = room;
  }
  return { rooms, nextCursor: null };
}

/** May `who` enter `room`: does a layer that applies to them set a base scope? */
function isEnterable(room: StoredRoom, who: AccessibleBy): boolean {
  if (grantsEntry(room.defaultAccesses)) return true;
  const user = room.accessOf("users", who.userId);
  if (user !== undefined && grantsEntry(user)) return true;
  for (const groupId of who.groupIds) {
    const group = room.accessOf("groups", groupId);
    if (group !== undefined && grantsEntry(group)) return true;
  }
  return false;
}
