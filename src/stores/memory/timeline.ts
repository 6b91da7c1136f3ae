/**
 * Every room of a MemoryStore in listing order, each with its rank: the
 * number the index lists hold in place of the room.
 */
import { compareIds, type SortKey } from "../../rooms/order.js";
import { CHUNK, lowerBound } from "./chunked.js";

/** What the timeline reads of a room: its id, the tiebreak within a millisecond. */
type Keyed = { readonly id: string };

/**
 * Every room in listing order (creation time, then id), oldest first, each
 * with its rank: a number in `[ms, ms + 1)` for a room created at `ms`,
 * increasing with the room's place in that order. The per-key
 * {@link RankList}s hold ranks, so rooms of the same millisecond (a bulk
 * creation makes dozens) stay apart in intersections. Ranks within a
 * millisecond are a few double steps apart for rooms added in order and
 * halve the gap for rooms inserted between two; where a double has no
 * number left between them (hundreds of rooms in one millisecond, deep
 * bisection, times near the limits of `Date`), a room shares its
 * neighbour's rank, which costs readers a room check, never a wrong answer.
 *
 * @example
 * ```ts
 * const timeline = new RoomTimeline<RoomData>();
 * const rank = timeline.insert(room, room.createdAt.getTime());
 * const newest = timeline.walkDown(undefined)();
 * ```
 */
export class RoomTimeline<R extends Keyed> {
  #rooms: R[][] = [];
  #ranks: number[][] = [];
  /** The last rank of each chunk: chunk searches read this one array, not every chunk. */
  #lasts: number[] = [];
  #size = 0;
  #foundChunk = 0;
  #foundIndex = 0;
  readonly #chunkSize: number;

  /** @param chunkSize Largest chunk before it splits (≥ 2; small only in tests). */
  constructor(chunkSize = CHUNK) {
    this.#chunkSize = Math.max(2, chunkSize);
  }

  /** Number of rooms. */
  get size(): number {
    return this.#size;
  }

  /** Adds `room`, created at `ms`; returns its rank. */
  insert(room: R, ms: number): number {
    const rooms = this.#rooms;
    const ranks = this.#ranks;
    this.#size++;
    const lastIndex = rooms.length - 1;
    const lastRooms = rooms[lastIndex];
    const lastRanks = ranks[lastIndex];
    if (lastRooms === undefined || lastRanks === undefined) {
      const rank = firstRank(ms);
      rooms.push([room]);
      ranks.push([rank]);
      this.#lasts.push(rank);
      return rank;
    }
    const end = lastRooms.length - 1;
    const lastRank = lastRanks[end] as number;
    if (compareKey(ms, room.id, lastRank, lastRooms[end] as R) > 0) {
      // Appending in listing order, the usual case: seal a full chunk at its exact size (no push slack).
      const rank = rankBetween(ms, lastRank, undefined);
      if (lastRooms.length >= this.#chunkSize) {
        rooms[lastIndex] = lastRooms.slice();
        ranks[lastIndex] = lastRanks.slice();
        rooms.push([room]);
        ranks.push([rank]);
        this.#lasts.push(rank);
      } else {
        lastRooms.push(room);
        lastRanks.push(rank);
        this.#lasts[lastIndex] = rank;
      }
      return rank;
    }
    const c = this.#chunkFor(ms, room.id);
    const chunkRooms = rooms[c] as R[];
    const chunkRanks = ranks[c] as number[];
    const i = keyLowerBound(chunkRanks, chunkRooms, ms, room.id);
    const before = i > 0 ? chunkRanks[i - 1] : ranks[c - 1]?.at(-1);
    const rank = rankBetween(ms, before, chunkRanks[i]);
    chunkRooms.splice(i, 0, room);
    chunkRanks.splice(i, 0, rank);
    // Only the last chunk can grow past its last key, and that was the append above.
    if (chunkRooms.length > this.#chunkSize) {
      const half = chunkRooms.length >> 1;
      rooms.splice(c + 1, 0, chunkRooms.splice(half));
      ranks.splice(c + 1, 0, chunkRanks.splice(half));
      this.#lasts.splice(c, 0, chunkRanks[half - 1] as number);
    }
    return rank;
  }

  /** Removes `room` (the same object), created at `ms`; returns its rank, or `NaN` if it is not here. */
  remove(room: R, ms: number): number {
    if (!this.#locate(room, ms)) return NaN;
    const c = this.#foundChunk;
    const chunkRooms = this.#rooms[c] as R[];
    const chunkRanks = this.#ranks[c] as number[];
    const rank = chunkRanks[this.#foundIndex] as number;
    this.#size--;
    chunkRooms.splice(this.#foundIndex, 1);
    chunkRanks.splice(this.#foundIndex, 1);
    if (chunkRooms.length === 0) {
      this.#rooms.splice(c, 1);
      this.#ranks.splice(c, 1);
      this.#lasts.splice(c, 1);
    } else this.#lasts[c] = chunkRanks[chunkRanks.length - 1] as number;
    return rank;
  }

  /** Puts `next` where `room` is (same id and time); returns the rank, or `NaN` if `room` is not here. */
  replace(room: R, next: R, ms: number): number {
    if (!this.#locate(room, ms)) return NaN;
    (this.#rooms[this.#foundChunk] as R[])[this.#foundIndex] = next;
    return (this.#ranks[this.#foundChunk] as number[])[this.#foundIndex] as number;
  }

  /** Appends to `out` the rooms of exactly this rank, in ascending id order. */
  collectAt(rank: number, out: R[]): void {
    const ranks = this.#ranks;
    if (ranks.length === 0) return;
    let c = Math.min(lowerBound(this.#lasts, rank), ranks.length - 1);
    let i = lowerBound(ranks[c] as number[], rank);
    for (;;) {
      const chunkRanks = ranks[c];
      if (chunkRanks === undefined) return;
      if (i >= chunkRanks.length) {
        c++;
        i = 0;
        continue;
      }
      if (chunkRanks[i] !== rank) return;
      out.push((this.#rooms[c] as R[])[i] as R);
      i++;
    }
  }

  /**
   * Walks rooms newest first, strictly after `after` in that order (from the
   * newest if `undefined`); the walker returns `undefined` when done.
   */
  walkDown(after: SortKey | undefined): () => R | undefined {
    const rooms = this.#rooms;
    let c = rooms.length - 1;
    let i = (rooms[c]?.length ?? 0) - 1;
    if (after !== undefined && rooms.length > 0) {
      c = this.#chunkFor(after.ms, after.id);
      i = keyLowerBound(this.#ranks[c] as number[], rooms[c] as R[], after.ms, after.id) - 1;
    }
    let current = rooms[c];
    return () => {
      while (current !== undefined && i < 0) {
        current = rooms[--c];
        i = (current?.length ?? 0) - 1;
      }
      return current === undefined ? undefined : current[i--];
    };
  }

  /** Finds `room` and leaves its position in `#foundChunk` / `#foundIndex`; `false` if it is not here. */
  #locate(room: R, ms: number): boolean {
    if (this.#rooms.length === 0) return false;
    const c = this.#chunkFor(ms, room.id);
    const chunkRooms = this.#rooms[c] as R[];
    const chunkRanks = this.#ranks[c] as number[];
    // Among the rooms of its millisecond, found by identity: comparing ids would load each room.
    for (let i = lowerBound(chunkRanks, ms); i < chunkRanks.length && (chunkRanks[i] as number) < ms + 1; i++) {
      if (chunkRooms[i] !== room) continue;
      this.#foundChunk = c;
      this.#foundIndex = i;
      return true;
    }
    return false;
  }

  /** The first chunk whose last key is `>=` (ms, id), or the last chunk. */
  #chunkFor(ms: number, id: string): number {
    const lasts = this.#lasts;
    let low = 0;
    let high = lasts.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const rank = lasts[mid] as number;
      // Ids are read only for a chunk ending in the same millisecond.
      const after = Math.floor(rank) === ms ? compareIds(id, (this.#rooms[mid] as R[]).at(-1)!.id) > 0 : ms > rank;
      if (after) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** The rank of the first room of a millisecond: a quarter in, leaving room for rooms with smaller ids. */
function firstRank(ms: number): number {
  const rank = ms + 0.25;
  // Near the limits of Date a double has no fraction to give.
  return Math.floor(rank) === ms ? rank : ms;
}

/**
 * The distance between ranks of rooms added in order within `ms`: eight of
 * the smallest steps a double near `ms` can take (2^-12 in this century),
 * so about 380 rooms fit after the first, 120 before it, and three rooms
 * between any two; 2^-20 near 0.
 */
function rankStep(ms: number): number {
  return 8 * Math.max(2 ** (Math.floor(Math.log2(Math.abs(ms) + 1)) - 52), 2 ** -20);
}

/**
 * A rank for a room created at `ms` between the ranks of its neighbours in
 * listing order (either may be absent or of another millisecond): one step
 * past the last room or before the first, else halfway between the two.
 */
function rankBetween(ms: number, before: number | undefined, after: number | undefined): number {
  const low = before !== undefined && Math.floor(before) === ms ? before : undefined;
  const high = after !== undefined && Math.floor(after) === ms ? after : undefined;
  if (low === undefined && high === undefined) return firstRank(ms);
  const step = rankStep(ms);
  const floor = low ?? ms;
  const ceiling = high ?? ms + 1;
  let rank = high === undefined ? floor + step : low === undefined ? ceiling - step : floor + (ceiling - floor) / 2;
  if (!(rank > floor && rank < ceiling)) rank = floor + (ceiling - floor) / 2;
  // No double left strictly between the neighbours: share one's rank.
  if (!(rank > floor && rank < ceiling) || Math.floor(rank) !== ms) return low ?? (high as number);
  return rank;
}

/** (ms, id) against a stored room's (rank, room): negative when it comes first. */
function compareKey(ms: number, id: string, rank: number, room: Keyed): number {
  const otherMs = Math.floor(rank);
  if (ms !== otherMs) return ms < otherMs ? -1 : 1;
  return compareIds(id, room.id);
}

/** The first index whose key is `>=` (ms, id). */
function keyLowerBound(ranks: readonly number[], rooms: readonly Keyed[], ms: number, id: string): number {
  // Ranks of `ms` are in [ms, ms + 1); among them ids are in order.
  let low = lowerBound(ranks, ms);
  let high = lowerBound(ranks, ms + 1);
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareIds((rooms[mid] as Keyed).id, id) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
