/**
 * MemoryStore's indexes by creation time. Each user, group, organization and
 * metadata value keeps only the creation times (epoch ms) of its rooms, as
 * chunks of plain number arrays: V8 stores those unboxed and contiguous, so
 * walking, intersecting and searching them reads memory in order instead of
 * following a pointer per room, and a slot costs what a room pointer would.
 * One {@link RoomTimeline} of all rooms turns a time back into its rooms.
 * Times may repeat (rooms created in the same millisecond): a list is a
 * multiset, and a time stands for every room created then, which the reader
 * checks against its filter anyway. For the same reason a list may still
 * hold a deleted room's time ({@link TimeList.forget}) for a while.
 */
import { compareIds, type SortKey } from "../../rooms/order.js";

/** Largest chunk by default; a chunk above it splits in two halves. */
const CHUNK = 512;

/** Lists of at most this many values (or one chunk, if smaller) remove at once instead of forgetting. */
const SHORT_LIST = 16;

/** The time a walk has when it is exhausted (no room can have it). */
export const DONE = -Infinity;

/**
 * The creation times of one index key's rooms, ascending, with repeats.
 *
 * @example
 * ```ts
 * const list = new TimeList();
 * list.insert(room.createdAt.getTime());
 * ```
 */
export class TimeList {
  /** @internal Ascending chunks, each non-empty; read by {@link ListWalk}. */
  readonly chunks: number[][] = [];
  /** The last value of each chunk: chunk searches read this one array, not every chunk. */
  readonly #lasts: number[] = [];
  #size = 0;
  /** Values {@link TimeList.forget} left in place, not yet removed. */
  #forgotten: number[] | undefined;
  readonly #chunkSize: number;

  /** @param chunkSize Largest chunk before it splits (≥ 2; small only in tests). */
  constructor(chunkSize = CHUNK) {
    this.#chunkSize = Math.max(2, chunkSize);
  }

  /** Number of values held, repeats and forgotten ones included: what a walk may pass. */
  get size(): number {
    return this.#size;
  }

  /** Number of values held that are not forgotten. */
  get live(): number {
    return this.#size - (this.#forgotten?.length ?? 0);
  }

  /**
   * Forgets one occurrence of `value` without searching for it: it stays in
   * walks (readers skip ranks whose room is gone) until forgotten values
   * outnumber live ones, when one sequential pass removes them all. A delete
   * at 100k rooms then touches this object instead of binary-searching and
   * splicing a chunk that is rarely in cache.
   */
  forget(value: number): void {
    // A short list is one or two cache lines: removing at once costs no more.
    if (this.#size <= Math.min(SHORT_LIST, this.#chunkSize)) {
      this.remove(value);
      return;
    }
    const forgotten = (this.#forgotten ??= []);
    forgotten.push(value);
    if (forgotten.length > this.live) this.#dropForgotten();
  }

  /** Adds one occurrence of `value`. */
  insert(value: number): void {
    const chunks = this.chunks;
    const lasts = this.#lasts;
    this.#size++;
    const lastIndex = chunks.length - 1;
    const last = chunks[lastIndex];
    if (last === undefined || (lasts[lastIndex] as number) <= value) {
      // Appending in order, the usual case: seal a full chunk at its exact size (no push slack).
      if (last === undefined || last.length >= this.#chunkSize) {
        if (last !== undefined) chunks[lastIndex] = last.slice();
        chunks.push([value]);
        lasts.push(value);
      } else {
        last.push(value);
        lasts[lastIndex] = value;
      }
      return;
    }
    const c = Math.min(upperBound(lasts, value), lastIndex);
    const chunk = chunks[c] as number[];
    chunk.splice(upperBound(chunk, value), 0, value);
    if (chunk.length > this.#chunkSize) {
      chunks.splice(c + 1, 0, chunk.splice(chunk.length >> 1));
      lasts.splice(c, 0, chunk[chunk.length - 1] as number);
    }
  }

  /** Removes one occurrence of `value`; `false` if there is none. */
  remove(value: number): boolean {
    const chunks = this.chunks;
    const lasts = this.#lasts;
    if (chunks.length === 0) return false;
    // Most lists are one chunk: their last value need not be read.
    const c = chunks.length === 1 ? 0 : Math.min(lowerBound(lasts, value), chunks.length - 1);
    const chunk = chunks[c] as number[];
    const index = lowerBound(chunk, value);
    if (chunk[index] !== value) return false;
    this.#size--;
    if (index === chunk.length - 1) {
      chunk.pop();
      if (chunk.length === 0) {
        chunks.splice(c, 1);
        lasts.splice(c, 1);
      } else lasts[c] = chunk[chunk.length - 1] as number;
    } else chunk.splice(index, 1);
    if (this.#forgotten !== undefined && this.#forgotten.length > this.live) this.#dropForgotten();
    return true;
  }

  /** Removes one occurrence per forgotten value, in one merge over the chunks, and re-chunks what is left. */
  #dropForgotten(): void {
    // A typed array sorts numerically without calling a comparator.
    const gone = Float64Array.from(this.#forgotten as number[]).sort();
    this.#forgotten = undefined;
    const kept: number[] = [];
    let g = 0;
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length; i++) {
        const value = chunk[i] as number;
        while (g < gone.length && (gone[g] as number) < value) g++;
        if (g < gone.length && gone[g] === value) g++;
        else kept.push(value);
      }
    }
    this.chunks.length = 0;
    this.#lasts.length = 0;
    for (let i = 0; i < kept.length; i += this.#chunkSize) {
      const chunk = kept.slice(i, i + this.#chunkSize);
      this.chunks.push(chunk);
      this.#lasts.push(chunk[chunk.length - 1] as number);
    }
    this.#size = kept.length;
  }
}

/**
 * A walk over distinct creation times, newest first: `value` is the current
 * time ({@link DONE} when exhausted), `advance` moves to the next older
 * one, `seek(ms)` to the newest one at or before `ms`.
 */
export interface TimeWalk {
  readonly value: number;
  advance(): void;
  seek(ms: number): void;
}

/**
 * The distinct values of one {@link TimeList}, newest first, from the
 * newest one strictly below `below`.
 *
 * @example
 * ```ts
 * for (const walk = new ListWalk(list, Infinity); walk.value !== DONE; walk.advance()) use(walk.value);
 * ```
 */
export class ListWalk implements TimeWalk {
  value = DONE;
  readonly #chunks: number[][];
  #chunk: number;
  #index: number;

  constructor(list: TimeList, below: number) {
    this.#chunks = list.chunks;
    this.#chunk = this.#chunks.length - 1;
    this.#index = (this.#chunks[this.#chunk]?.length ?? 0) - 1;
    this.#moveTo(below, true);
  }

  advance(): void {
    // Strictly before the current time: repeats of it are skipped.
    this.#moveTo(this.value, true);
  }

  seek(ms: number): void {
    this.#moveTo(ms, false);
  }

  /**
   * Moves `a` and `b` down until both stand on the same value (or one is
   * exhausted), in one loop over their arrays: the leapfrog of two lists
   * whose members interleave makes a seek per value, and this costs a
   * comparison per value instead of a call.
   */
  static meet(a: ListWalk, b: ListWalk): void {
    let x = a.value;
    let y = b.value;
    if (x === DONE || y === DONE) {
      a.#exhaust();
      b.#exhaust();
      return;
    }
    let ac = a.#chunk;
    let ai = a.#index;
    let bc = b.#chunk;
    let bi = b.#index;
    let aChunk = a.#chunks[ac] as number[];
    let bChunk = b.#chunks[bc] as number[];
    while (x !== y) {
      if (x > y) {
        // a steps down to the newest value at or before y, skipping whole chunks newer than it.
        while (x > y) {
          if (ai > 0) x = aChunk[--ai] as number;
          else {
            do ac--;
            while (ac >= 0 && ((a.#chunks[ac] as number[])[0] as number) > y);
            if (ac < 0) break;
            aChunk = a.#chunks[ac] as number[];
            ai = aChunk.length - 1;
            x = aChunk[ai] as number;
          }
        }
        if (ac < 0) break;
      } else {
        while (y > x) {
          if (bi > 0) y = bChunk[--bi] as number;
          else {
            do bc--;
            while (bc >= 0 && ((b.#chunks[bc] as number[])[0] as number) > x);
            if (bc < 0) break;
            bChunk = b.#chunks[bc] as number[];
            bi = bChunk.length - 1;
            y = bChunk[bi] as number;
          }
        }
        if (bc < 0) break;
      }
    }
    if (ac < 0 || bc < 0) {
      a.#exhaust();
      b.#exhaust();
      return;
    }
    a.#chunk = ac;
    a.#index = ai;
    a.value = x;
    b.#chunk = bc;
    b.#index = bi;
    b.value = y;
  }

  #exhaust(): void {
    this.#chunk = -1;
    this.value = DONE;
  }

  #moveTo(ms: number, strict: boolean): void {
    const chunks = this.#chunks;
    let c = this.#chunk;
    let i = this.#index;
    while (c >= 0) {
      const chunk = chunks[c] as number[];
      // Whole chunks newer than the target are skipped by their first time.
      if (strict ? (chunk[0] as number) >= ms : (chunk[0] as number) > ms) {
        c--;
        i = (chunks[c]?.length ?? 0) - 1;
        continue;
      }
      if (strict) while ((chunk[i] as number) >= ms) i--;
      else while ((chunk[i] as number) > ms) i--;
      this.#chunk = c;
      this.#index = i;
      this.value = chunk[i] as number;
      return;
    }
    this.#chunk = -1;
    this.value = DONE;
  }
}

/**
 * The distinct times in any of several walks (a user's rooms OR a group's),
 * newest first.
 */
export class UnionWalk implements TimeWalk {
  value = DONE;
  readonly #walks: readonly TimeWalk[];

  constructor(walks: readonly TimeWalk[]) {
    this.#walks = walks;
    this.#settle();
  }

  advance(): void {
    const current = this.value;
    for (const walk of this.#walks) if (walk.value === current) walk.advance();
    this.#settle();
  }

  seek(ms: number): void {
    for (const walk of this.#walks) if (walk.value > ms) walk.seek(ms);
    this.#settle();
  }

  #settle(): void {
    let newest = DONE;
    for (const walk of this.#walks) if (walk.value > newest) newest = walk.value;
    this.value = newest;
  }
}

/**
 * The distinct times present in every walk, newest first (a leapfrog join:
 * each walk seeks to the oldest head seen until all agree).
 */
export class IntersectionWalk implements TimeWalk {
  value = DONE;
  readonly #walks: readonly TimeWalk[];

  constructor(walks: readonly TimeWalk[]) {
    this.#walks = walks;
    this.#align();
  }

  advance(): void {
    (this.#walks[0] as TimeWalk).advance();
    this.#align();
  }

  seek(ms: number): void {
    (this.#walks[0] as TimeWalk).seek(ms);
    this.#align();
  }

  #align(): void {
    const walks = this.#walks;
    if (walks.length === 2) {
      this.#alignPair(walks[0] as TimeWalk, walks[1] as TimeWalk);
      return;
    }
    let target = (walks[0] as TimeWalk).value;
    for (;;) {
      if (target === DONE) break;
      let agreed = true;
      for (const walk of walks) {
        if (walk.value > target) walk.seek(target);
        if (walk.value < target) {
          target = walk.value;
          agreed = false;
        }
      }
      if (agreed) break;
    }
    this.value = target;
  }

  /** Two walks, the usual case (a user and a metadata value): each seeks the other's head until they meet. */
  #alignPair(a: TimeWalk, b: TimeWalk): void {
    if (a instanceof ListWalk && b instanceof ListWalk) {
      ListWalk.meet(a, b);
      this.value = a.value;
      return;
    }
    let x = a.value;
    let y = b.value;
    while (x !== y) {
      if (x === DONE || y === DONE) break;
      if (x > y) {
        a.seek(y);
        x = a.value;
      } else {
        b.seek(x);
        y = b.value;
      }
    }
    this.value = x === y ? x : DONE;
  }
}

/** What the timeline reads of a room: its id, the tiebreak within a millisecond. */
type Keyed = { readonly id: string };

/**
 * Every room in listing order (creation time, then id), oldest first, each
 * with its rank: a number in `[ms, ms + 1)` for a room created at `ms`,
 * increasing with the room's place in that order. The per-key
 * {@link TimeList}s hold ranks, so rooms of the same millisecond (a bulk
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

/** The first index whose time is `>= ms`. */
function lowerBound(array: readonly number[], ms: number): number {
  let low = 0;
  let high = array.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((array[mid] as number) < ms) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The first index whose time is `> ms`. */
function upperBound(array: readonly number[], ms: number): number {
  let low = 0;
  let high = array.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((array[mid] as number) <= ms) low = mid + 1;
    else high = mid;
  }
  return low;
}
