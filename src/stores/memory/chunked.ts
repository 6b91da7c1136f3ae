/**
 * What MemoryStore's chunked lists share: the largest chunk, and binary
 * searches over ascending numbers (ranks).
 */

/** Largest chunk by default; a chunk above it splits in two halves. */
export const CHUNK = 512;

/** The first index of ascending `array` holding a number `>= value`. */
export function lowerBound(array: readonly number[], value: number): number {
  let low = 0;
  let high = array.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((array[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The first index of ascending `array` holding a number `> value`. */
export function upperBound(array: readonly number[], value: number): number {
  let low = 0;
  let high = array.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((array[mid] as number) <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
