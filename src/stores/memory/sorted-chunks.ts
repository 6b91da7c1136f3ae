/**
 * A sorted set kept as a list of short sorted arrays (chunks), so that
 * inserting anywhere costs a binary search and a splice of at most
 * {@link CHUNK} elements, not a memmove of the whole list. `MemoryStore`
 * keeps its room ids in one, for `roomId` prefixes.
 */
import { CHUNK } from "./chunked.js";

/**
 * Elements in ascending `compare` order, without duplicates: the caller
 * checks {@link SortedChunks.includes} first. Appending past the end is
 * the fast path.
 *
 * @example
 * ```ts
 * const ids = new SortedChunks<string>(compareIds);
 * if (!ids.includes(id)) ids.insert(id);
 * for (const next = ids.walkUp("room-"); ; ) { const id = next(); if (id === undefined) break; }
 * ```
 */
export class SortedChunks<T> {
  #chunks: T[][] = [];
  #size = 0;
  readonly #compare: (a: T, b: T) => number;
  readonly #chunkSize: number;

  /**
   * @param compare The order (ascending); equal elements are not supported.
   * @param chunkSize Largest chunk before it splits (≥ 2; small only in tests).
   */
  constructor(compare: (a: T, b: T) => number, chunkSize = CHUNK) {
    this.#compare = compare;
    this.#chunkSize = Math.max(2, chunkSize);
  }

  /** Number of elements. */
  get size(): number {
    return this.#size;
  }

  /** Adds `item` at its place. */
  insert(item: T): void {
    const chunks = this.#chunks;
    this.#size++;
    const last = chunks[chunks.length - 1];
    if (last === undefined) {
      chunks.push([item]);
      return;
    }
    let chunkIndex = chunks.length - 1;
    let chunk = last;
    if (this.#compare(last[last.length - 1] as T, item) >= 0) {
      chunkIndex = this.#chunkFor(item);
      chunk = chunks[chunkIndex] as T[];
    }
    const index = lowerBound(chunk, item, this.#compare);
    if (index === chunk.length && chunk.length >= this.#chunkSize && chunkIndex === chunks.length - 1) {
      // Appending in order: seal the full chunk at its exact size (no push slack) and start
      // a new one, instead of splitting, which would leave every chunk half empty.
      chunks[chunkIndex] = chunk.slice();
      chunks.push([item]);
      return;
    }
    if (index === chunk.length) chunk.push(item);
    else chunk.splice(index, 0, item);
    if (chunk.length > this.#chunkSize) chunks.splice(chunkIndex + 1, 0, chunk.splice(chunk.length >> 1));
  }

  /** Is an element equal to `key` (by the order) in the list? */
  includes(key: T): boolean {
    const chunks = this.#chunks;
    if (chunks.length === 0) return false;
    const chunk = chunks[this.#chunkFor(key)] as T[];
    const index = lowerBound(chunk, key, this.#compare);
    return index < chunk.length && this.#compare(chunk[index] as T, key) === 0;
  }

  /**
   * Walks elements upwards from the first one `>= from`; the walker returns
   * `undefined` when done.
   */
  walkUp(from: T): () => T | undefined {
    const chunks = this.#chunks;
    let chunk = chunks.length === 0 ? 0 : this.#chunkFor(from);
    let index = chunks.length === 0 ? 0 : lowerBound(chunks[chunk] as T[], from, this.#compare);
    let current = chunks[chunk];
    return () => {
      while (current !== undefined && index >= current.length) {
        current = chunks[++chunk];
        index = 0;
      }
      return current === undefined ? undefined : current[index++];
    };
  }

  /** The first chunk whose last element is `>= item`, or the last chunk. */
  #chunkFor(item: T): number {
    const chunks = this.#chunks;
    let low = 0;
    let high = chunks.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const chunk = chunks[mid] as T[];
      if (this.#compare(chunk[chunk.length - 1] as T, item) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

function lowerBound<T>(array: readonly T[], key: T, compare: (a: T, b: T) => number): number {
  let low = 0;
  let high = array.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(array[mid] as T, key) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
