/**
 * How a MemoryStore lists: a plan from the smallest index that applies,
 * intersected with those of comparable size (`userId` OR `groupIds` is the
 * union of the user's and the groups' lists), each rank turned into its
 * rooms through the timeline. The store checks every condition on each
 * room and stops one room after the page is full. A prefix is served from
 * the id index when it matches fewer rooms than the smallest other index
 * (its run is counted only up to that size).
 */
import { compareIds, compareSortKeys, type SortKey } from "../../rooms/order.js";
import type { RoomFilter } from "../../rooms/types.js";
import type { RankList } from "./rank-list.js";
import { DONE, IntersectionWalk, ListWalk, type RankWalk, UnionWalk } from "./rank-walks.js";
import type { SortedChunks } from "./sorted-chunks.js";
import type { StoredRoom } from "./stored-room.js";
import type { RoomTimeline } from "./timeline.js";

/** Walks rooms newest first; `undefined` when exhausted. */
type RoomCursor = () => StoredRoom | undefined;

/** The indexes of a MemoryStore, as the planner reads them. */
export type RoomIndexes = {
  readonly rooms: ReadonlyMap<string, StoredRoom>;
  /** Every room in listing order, each with its rank. */
  readonly timeline: RoomTimeline<StoredRoom>;
  /** Room ids in order, some of deleted rooms (skipped: their id has no room). */
  readonly byId: SortedChunks<string>;
  readonly byUser: ReadonlyMap<string, RankList>;
  readonly byGroup: ReadonlyMap<string, RankList>;
  readonly byOrganization: ReadonlyMap<string, RankList>;
  /** Metadata key, then value (a string, or an element of an array). */
  readonly byMetadata: ReadonlyMap<string, ReadonlyMap<string, RankList>>;
};

/**
 * The newest-first candidates for `filter`, from the narrowest index;
 * `union`, if given, is one more condition: a room in any of its lists
 * (`listAccessible`'s public, user and group lists).
 */
export function candidates(indexes: RoomIndexes, filter: RoomFilter, after: SortKey | undefined, union?: readonly RankList[]): RoomCursor {
  if (filter.roomId !== undefined) {
    const room = indexes.rooms.get(filter.roomId);
    if (room === undefined || (after !== undefined && !isOlderThan(room, after))) return exhausted;
    let pending: StoredRoom | undefined = room;
    return () => {
      const next = pending;
      pending = undefined;
      return next;
    };
  }

  // Each applicable index, with its size as the cost of walking it.
  const sources: Source[] = [];
  const groupIds = filter.groupIds ?? [];
  if (filter.userId !== undefined || groupIds.length > 0) {
    const lists: RankList[] = [];
    const userRooms = filter.userId === undefined ? undefined : indexes.byUser.get(filter.userId);
    if (userRooms !== undefined) lists.push(userRooms);
    for (const groupId of new Set(groupIds)) {
      const groupRooms = indexes.byGroup.get(groupId);
      if (groupRooms !== undefined) lists.push(groupRooms);
    }
    sources.push({ size: lists.reduce((sum, list) => sum + list.size, 0), lists });
  }
  if (union !== undefined) sources.push({ size: union.reduce((sum, list) => sum + list.size, 0), lists: [...union] });
  if (filter.organizationId !== undefined) sources.push(sourceOf(indexes.byOrganization.get(filter.organizationId)));
  for (const [key, value] of filter.metadata ?? []) sources.push(sourceOf(indexes.byMetadata.get(key)?.get(value)));

  let best: Source | undefined;
  for (const source of sources) if (source.size < (best?.size ?? indexes.timeline.size)) best = source;
  if (best?.size === 0 || indexes.timeline.size === 0) return exhausted;
  if (filter.roomIdPrefix !== undefined && filter.roomIdPrefix !== "") {
    // The ids with this prefix are one run of the id index; use it if it is the smaller set.
    const run = prefixed(indexes, filter.roomIdPrefix, best?.size ?? indexes.timeline.size);
    if (run !== undefined) return walkArray(run, after);
  }
  if (best === undefined) return indexes.timeline.walkDown(after);
  // Other indexes of comparable size are intersected by a merge of sorted
  // ranks (cheap, sequential) instead of reading each candidate room;
  // much larger ones are left to the per-room check.
  // Ranks of rooms created at `after.ms` are below `after.ms + 1`.
  const from = after === undefined ? Infinity : after.ms + 1;
  const walks = [walkSource(best, from)];
  for (const source of sources) {
    if (source !== best && source.size <= best.size * INTERSECT_FACTOR) walks.push(walkSource(source, from));
  }
  const ranks = walks.length === 1 ? (walks[0] as RankWalk) : new IntersectionWalk(walks);
  return roomsAt(ranks, indexes.timeline, after);
}

/**
 * The rooms whose id starts with `prefix`, oldest first, or `undefined` if
 * there are at least `limit` of them (another index is then cheaper).
 */
function prefixed(indexes: RoomIndexes, prefix: string, limit: number): StoredRoom[] | undefined {
  const next = indexes.byId.walkUp(prefix);
  const found: StoredRoom[] = [];
  for (let id = next(); id !== undefined && id.startsWith(prefix); id = next()) {
    const room = indexes.rooms.get(id);
    if (room === undefined) continue;
    if (found.length >= limit) return undefined;
    found.push(room);
  }
  return found.length >= limit ? undefined : found.sort((a, b) => compareSortKeys(keyOf(a), keyOf(b)));
}

/** A stored room's position in the listing order. */
export function keyOf(room: StoredRoom): SortKey {
  return { ms: room.createdMs, id: room.id };
}

/** Does `room` come after `key` in newest-first order (older, or same time and smaller id)? */
function isOlderThan(room: StoredRoom, key: SortKey): boolean {
  const ms = room.createdMs;
  return ms !== key.ms ? ms < key.ms : compareIds(room.id, key.id) < 0;
}

const exhausted: RoomCursor = () => undefined;

/** Indexes of at most this many times the smallest one's size are intersected with it. */
const INTERSECT_FACTOR = 16;

/** One condition's candidates: the union of `lists`, `size` ranks at most. */
type Source = { size: number; lists: RankList[] };

function sourceOf(list: RankList | undefined): Source {
  return list === undefined ? { size: 0, lists: [] } : { size: list.size, lists: [list] };
}

/** The distinct ranks of a source, newest first, strictly below `below`. */
function walkSource(source: Source, below: number): RankWalk {
  const walks = source.lists.map((list) => new ListWalk(list, below));
  return walks.length === 1 ? (walks[0] as RankWalk) : new UnionWalk(walks);
}

/**
 * The rooms of each rank of `ranks`, newest first, strictly after `after`:
 * a rank shared by several rooms yields them all, id descending.
 */
function roomsAt(ranks: RankWalk, timeline: RoomTimeline<StoredRoom>, after: SortKey | undefined): RoomCursor {
  const batch: StoredRoom[] = [];
  return () => {
    for (;;) {
      const room = batch.pop();
      if (room !== undefined) {
        if (after !== undefined && !isOlderThan(room, after)) continue;
        return room;
      }
      const rank = ranks.value;
      if (rank === DONE) return undefined;
      ranks.advance();
      timeline.collectAt(rank, batch);
    }
  };
}

/** Walks an oldest-first array newest first, strictly after `after`. */
function walkArray(array: readonly StoredRoom[], after: SortKey | undefined): RoomCursor {
  let index = array.length - 1;
  if (after !== undefined) while (index >= 0 && !isOlderThan(array[index] as StoredRoom, after)) index--;
  return () => (index >= 0 ? array[index--] : undefined);
}
