/**
 * The listing cursor every store issues: the sort key of the last room of a
 * page, so the next page starts strictly after it whatever was added or
 * removed in between. Opaque to callers, exact to stores: only the bytes
 * {@link encodeCursor} produces decode.
 */
import { base64urlDecode, base64urlOfText, utf8Decode } from "../runtime/crypto/node.js";
import type { SortKey } from "./order.js";
import { isStorableText } from "./text.js";
import { InvalidCursorError } from "./types.js";

/**
 * The cursor that resumes a listing after `key`.
 *
 * @example
 * ```ts
 * const nextCursor = encodeCursor({ ms: last.createdAt.getTime(), id: last.id });
 * ```
 */
export function encodeCursor(key: SortKey): string {
  return base64urlOfText(JSON.stringify([key.ms, key.id]));
}

/**
 * The sort key inside a cursor of {@link encodeCursor}.
 *
 * @throws {InvalidCursorError} for anything else, alternative encodings included.
 * @example
 * ```ts
 * const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
 * ```
 */
export function decodeCursor(cursor: string): SortKey {
  if (typeof cursor !== "string" || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(base64urlDecode(cursor)));
  } catch {
    throw new InvalidCursorError();
  }
  // The id is compared with stored ids: text no store holds (NUL, a lone surrogate) is no cursor of ours.
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !Number.isSafeInteger(value[0]) ||
    typeof value[1] !== "string" ||
    !isStorableText(value[1])
  ) {
    throw new InvalidCursorError();
  }
  const key: SortKey = { ms: value[0] as number, id: value[1] };
  if (encodeCursor(key) !== cursor) throw new InvalidCursorError();
  return key;
}

/** The page size rule every store's listing checks for direct callers (the facade checks its own limit first). */
export function assertPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Invalid limit: ${limit}`);
}
