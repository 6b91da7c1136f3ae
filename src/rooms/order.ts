/**
 * The one listing order of every store: newest first (`createdAt`
 * descending), ties broken by room id descending in Unicode code point order.
 * Code point order is the order of UTF-8 bytes, which is what Postgres
 * (`COLLATE "C"`) and SQLite (`BINARY`) compare, so SQL stores and their
 * cursors agree with the memory store on every id, not only ASCII ones.
 */

/**
 * A room's position in the listing order: creation time in epoch
 * milliseconds, then id.
 */
export type SortKey = { readonly ms: number; readonly id: string };

/**
 * Compares two ids by Unicode code point (= UTF-8 byte order). JavaScript's
 * `<` compares UTF-16 code units, which differs only when a surrogate
 * (U+D800–U+DFFF, half of a character above U+FFFF) meets a unit in
 * U+E000–U+FFFF: the character above U+FFFF must sort last.
 *
 * @example
 * ```ts
 * compareIds("\uFFFF", "😀"); // < 0, though "\uFFFF" > "😀" in UTF-16
 * ```
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Both at or above U+D800: lift surrogates above U+E000–U+FFFF.
    if (x >= 0xd800 && y >= 0xd800) return surrogateRank(x) - surrogateRank(y);
    return x - y;
  }
  return a.length - b.length;
}

function surrogateRank(unit: number): number {
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

/**
 * Ascending order of sort keys (oldest first); listings walk it backwards.
 *
 * @example
 * ```ts
 * rooms.sort((a, b) => compareSortKeys(keyOf(b), keyOf(a))); // newest first
 * ```
 */
export function compareSortKeys(a: SortKey, b: SortKey): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  return compareIds(a.id, b.id);
}
