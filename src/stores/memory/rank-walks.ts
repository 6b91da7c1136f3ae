/**
 * Walks over {@link RankList}s, newest first: one list, the union of
 * several (a user's rooms OR a group's), the intersection of several
 * (a user's rooms AND a metadata value's).
 */
import type { RankList } from "./rank-list.js";

/** The rank a walk has when it is exhausted (no room can have it). */
export const DONE = -Infinity;

/**
 * A walk over distinct ranks, newest first: `value` is the current rank
 * ({@link DONE} when exhausted), `advance` moves to the next older one,
 * `seek(rank)` to the newest one at or before `rank`.
 */
export interface RankWalk {
  readonly value: number;
  advance(): void;
  seek(rank: number): void;
}

/**
 * The distinct values of one {@link RankList}, newest first, from the
 * newest one strictly below `below`.
 *
 * @example
 * ```ts
 * for (const walk = new ListWalk(list, Infinity); walk.value !== DONE; walk.advance()) use(walk.value);
 * ```
 */
export class ListWalk implements RankWalk {
  value = DONE;
  readonly #chunks: number[][];
  #chunk: number;
  #index: number;

  constructor(list: RankList, below: number) {
    this.#chunks = list.chunks;
    this.#chunk = this.#chunks.length - 1;
    this.#index = (this.#chunks[this.#chunk]?.length ?? 0) - 1;
    this.#moveTo(below, true);
  }

  advance(): void {
    // Strictly below the current rank: repeats of it are skipped.
    this.#moveTo(this.value, true);
  }

  seek(rank: number): void {
    this.#moveTo(rank, false);
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

  #moveTo(rank: number, strict: boolean): void {
    const chunks = this.#chunks;
    let c = this.#chunk;
    let i = this.#index;
    while (c >= 0) {
      const chunk = chunks[c] as number[];
      // Whole chunks newer than the target are skipped by their first rank.
      if (strict ? (chunk[0] as number) >= rank : (chunk[0] as number) > rank) {
        c--;
        i = (chunks[c]?.length ?? 0) - 1;
        continue;
      }
      if (strict) while ((chunk[i] as number) >= rank) i--;
      else while ((chunk[i] as number) > rank) i--;
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
 * The distinct ranks in any of several walks (a user's rooms OR a group's),
 * newest first.
 */
export class UnionWalk implements RankWalk {
  value = DONE;
  readonly #walks: readonly RankWalk[];

  constructor(walks: readonly RankWalk[]) {
    this.#walks = walks;
    this.#settle();
  }

  advance(): void {
    const current = this.value;
    for (const walk of this.#walks) if (walk.value === current) walk.advance();
    this.#settle();
  }

  seek(rank: number): void {
    for (const walk of this.#walks) if (walk.value > rank) walk.seek(rank);
    this.#settle();
  }

  #settle(): void {
    let newest = DONE;
    for (const walk of this.#walks) if (walk.value > newest) newest = walk.value;
    this.value = newest;
  }
}

/**
 * The distinct ranks present in every walk, newest first (a leapfrog join:
 * each walk seeks to the oldest head seen until all agree).
 */
export class IntersectionWalk implements RankWalk {
  value = DONE;
  readonly #walks: readonly RankWalk[];

  constructor(walks: readonly RankWalk[]) {
    this.#walks = walks;
    this.#align();
  }

  advance(): void {
    (this.#walks[0] as RankWalk).advance();
    this.#align();
  }

  seek(rank: number): void {
    (this.#walks[0] as RankWalk).seek(rank);
    this.#align();
  }

  #align(): void {
    const walks = this.#walks;
    if (walks.length === 2) {
      this.#alignPair(walks[0] as RankWalk, walks[1] as RankWalk);
      return;
    }
    let target = (walks[0] as RankWalk).value;
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
  #alignPair(a: RankWalk, b: RankWalk): void {
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
