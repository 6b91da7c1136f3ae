/**
 * The index lists of MemoryStore: each user, group, organization and
 * metadata value keeps only the ranks of its rooms (see `timeline.ts`), as
 * chunks of plain number arrays: V8 stores those unboxed and contiguous, so
 * walking, intersecting and searching them reads memory in order instead of
 * following a pointer per room, and a slot costs what a room pointer would.
 * Ranks may repeat (rooms that share one): a list is a multiset, and a rank
 * stands for every room that has it, which the reader checks against its
 * filter anyway. For the same reason a list may still hold a deleted room's
 * rank ({@link RankList.forget}) for a while.
 */
import { CHUNK, lowerBound, upperBound } from "./chunked.js";

/** Lists of at most this many values (or one chunk, if smaller) remove at once instead of forgetting. */
const SHORT_LIST = 16;

/**
 * The ranks of one index key's rooms, ascending, with repeats.
 *
 * @example
 * ```ts
 * const list = new RankList();
 * list.insert(timeline.insert(room, room.createdAt.getTime()));
 * ```
 */
export class RankList {
  /** @internal Ascending chunks, each non-empty; read by {@link ListWalk}. */
  readonly chunks: number[][] = [];
  /** The last value of each chunk: chunk searches read this one array, not every chunk. */
  readonly #lasts: number[] = [];
  #size = 0;
  /** Values {@link RankList.forget} left in place, not yet removed. */
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
