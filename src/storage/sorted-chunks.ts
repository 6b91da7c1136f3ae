/**
 * A sorted list kept as a list of short sorted arrays (chunks), so that
 * inserting or removing anywhere costs a binary search and a splice of at
 * most {@link CHUNK} elements, not a memmove of the whole list.
 */

/** Largest chunk by default; a chunk above it splits in two halves. */
const CHUNK = 512;

/** A position in a {@link SortedChunks}: chunk number and index inside it. */
type Position = { chunk: number; index: number };

/**
 * Elements in ascending `compare` order, without duplicates (by identity).
 * Appending past the end is the fast path (rooms are created in time order).
 *
 * @example
 * ```ts
 * const list = new SortedChunks<Entry, SortKey>(compareSortKeys);
 * list.insert(entry);
 * for (const next = list.walkDown(undefined); ; ) { const e = next(); if (!e) break; }
 * ```
 */
export class SortedChunks<T extends K, K = T> {
  #chunks: T[][] = [];
  #size = 0;
  readonly #compare: (a: K, b: K) => number;
  readonly #chunkSize: number;

  /**
   * @param compare The order (ascending); equal elements are not supported.
   * @param chunkSize Largest chunk before it splits (≥ 2; small only in tests).
   */
  constructor(compare: (a: K, b: K) => number, chunkSize = CHUNK) {
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

  /** Removes `item` (the same object); `false` if it is not in the list. */
  remove(item: T): boolean {
    const chunks = this.#chunks;
    if (chunks.length === 0) return false;
    const chunkIndex = this.#chunkFor(item);
    const chunk = chunks[chunkIndex] as T[];
    const index = lowerBound(chunk, item, this.#compare);
    if (chunk[index] !== item) return false;
    this.#size--;
    if (index === chunk.length - 1) chunk.pop();
    else chunk.splice(index, 1);
    if (chunk.length === 0) chunks.splice(chunkIndex, 1);
    return true;
  }

  /** Is an element equal to `key` (by the order) in the list? */
  includes(key: K): boolean {
    const chunks = this.#chunks;
    if (chunks.length === 0) return false;
    const chunk = chunks[this.#chunkFor(key)] as T[];
    const index = lowerBound(chunk, key, this.#compare);
    return index < chunk.length && this.#compare(chunk[index] as T, key) === 0;
  }

  /**
   * Walks elements from the largest down, starting strictly below `below`
   * (from the largest if `undefined`); the walker returns `undefined` when done.
   */
  walkDown(below: K | undefined): () => T | undefined {
    const chunks = this.#chunks;
    let { chunk, index } =
      below === undefined ? { chunk: chunks.length - 1, index: (chunks[chunks.length - 1]?.length ?? 0) - 1 } : this.#before(below);
    let current = chunks[chunk];
    return () => {
      while (current !== undefined && index < 0) {
        current = chunks[--chunk];
        index = (current?.length ?? 0) - 1;
      }
      return current === undefined ? undefined : current[index--];
    };
  }

  /**
   * Walks elements upwards from the first one `>= from`; the walker returns
   * `undefined` when done.
   */
  walkUp(from: K): () => T | undefined {
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

  /** The position of the last element `< key` (index -1 of chunk 0 if none). */
  #before(key: K): Position {
    const chunks = this.#chunks;
    if (chunks.length === 0) return { chunk: -1, index: -1 };
    const chunk = this.#chunkFor(key);
    return { chunk, index: lowerBound(chunks[chunk] as T[], key, this.#compare) - 1 };
  }

  /** The first chunk whose last element is `>= item`, or the last chunk. */
  #chunkFor(item: K): number {
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

function lowerBound<T extends K, K>(array: readonly T[], key: K, compare: (a: K, b: K) => number): number {
  let low = 0;
  let high = array.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(array[mid] as T, key) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
