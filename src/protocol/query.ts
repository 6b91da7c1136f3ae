/**
 * The Liveblocks room query language (`getRooms({ query })`):
 *
 *     query     = ws* [ condition ( (ws+ | ws+ "AND" ws+) condition )* ] ws*
 *     condition = "roomId" ws* (":" | "^") ws* string
 *               | "metadata" ws* "[" ws* string ws* "]" ws* ":" ws* string
 *     string    = '"' … '"' | "'" … "'"   (JSON escapes, plus \' )
 *
 * Single quotes are accepted because that is what `@liveblocks/node` sends
 * for the object form (`{ roomId: { startsWith: "a" } }` → `roomId^'a'`).
 * The parser is one left-to-right pass with no backtracking: linear in the
 * length of the query.
 */
import { NOT_STORABLE, isStorableText } from "../rooms/text.js";
import type { RoomFilter } from "../rooms/types.js";

/**
 * A parsed room query. Conditions on the room id are already combined:
 * `roomId` (exact) wins over a compatible prefix, two compatible prefixes
 * keep the longer. `impossible: true` means no room can match (for example
 * `roomId:"a" roomId:"b"`): callers answer an empty page without asking the
 * store. Metadata conditions are ANDed; identical pairs appear once.
 */
export type RoomQuery = {
  roomId?: string;
  roomIdPrefix?: string;
  metadata: [key: string, value: string][];
  impossible?: true;
};

/** The object form of a room query, as `@liveblocks/node`'s `getRooms` takes it. */
export type RoomQueryObject = {
  /** `null` is sent as the SDK sends it (`:null`), which the parser rejects. */
  metadata?: Record<string, string | null>;
  roomId?: { startsWith: string };
};

/**
 * A query string that is not in the room query language. `position` is the
 * 0-based index (UTF-16 code units) where parsing failed, also given in the
 * message.
 *
 * @example
 * ```ts
 * try { parseRoomQuery('roomId"x"'); } catch (err) {
 *   if (err instanceof RoomQuerySyntaxError) err.position; // 6
 * }
 * ```
 */
export class RoomQuerySyntaxError extends Error {
  readonly code = "ERR_ROOM_QUERY_SYNTAX";
  readonly position: number;
  constructor(position: number, reason: string) {
    super(`Invalid query at position ${position}: ${reason}`);
    this.name = "RoomQuerySyntaxError";
    this.position = position;
  }
}

/**
 * Parses a room query string. The empty (or blank) query matches every room.
 *
 * @throws {RoomQuerySyntaxError} when the query is malformed.
 * @example
 * ```ts
 * parseRoomQuery('metadata["status"]:"open" AND roomId^"liveblocks:"');
 * // { roomIdPrefix: "liveblocks:", metadata: [["status", "open"]] }
 * ```
 */
export function parseRoomQuery(query: string): RoomQuery {
  return new Parser(query).parse();
}

/**
 * The query string `@liveblocks/node` sends for the object form, so that the
 * object form goes through {@link parseRoomQuery} like any other query.
 * Unlike the SDK, a metadata key named `startsWith` is an ordinary key.
 *
 * @example
 * ```ts
 * roomQueryFromObject({ metadata: { status: "open" }, roomId: { startsWith: "lb:" } });
 * // "roomId^'lb:' metadata['status']:'open'"
 * ```
 */
export function roomQueryFromObject(query: RoomQueryObject): string {
  const parts: string[] = [];
  // The SDK emits operator conditions before indexed ones, whatever the key order.
  if (query.roomId !== undefined) {
    // Dropping a malformed condition would list more rooms than asked for.
    if (typeof query.roomId?.startsWith !== "string") {
      throw new TypeError("query.roomId must be { startsWith: string }");
    }
    parts.push(`roomId^${quote(query.roomId.startsWith)}`);
  }
  if (query.metadata !== undefined) {
    for (const key of Object.keys(query.metadata)) {
      const value = query.metadata[key];
      // Like the SDK: null is written unquoted; anything else is not written.
      if (typeof value === "string") parts.push(`metadata[${quote(key)}]:${quote(value)}`);
      else if (value === null) parts.push(`metadata[${quote(key)}]:null`);
    }
  }
  return parts.join(" ");
}

/**
 * The query string for the id and metadata conditions of a filter, quoted the
 * way the SDK quotes (for adapters that forward a filter to a
 * Liveblocks-compatible REST API). `userId`, `groupIds` and `organizationId`
 * are not part of the query language and are ignored.
 *
 * @example
 * ```ts
 * formatRoomQuery({ roomIdPrefix: "org:", metadata: [["status", "open"]] });
 * // "roomId^'org:' metadata['status']:'open'"
 * ```
 */
export function formatRoomQuery(filter: Pick<RoomFilter, "roomId" | "roomIdPrefix" | "metadata">): string {
  const parts: string[] = [];
  if (filter.roomId !== undefined) parts.push(`roomId:${quote(filter.roomId)}`);
  if (filter.roomIdPrefix !== undefined) parts.push(`roomId^${quote(filter.roomIdPrefix)}`);
  for (const [key, value] of filter.metadata ?? []) {
    parts.push(`metadata[${quote(key)}]:${quote(value)}`);
  }
  return parts.join(" ");
}

/**
 * `pairs` without repeats, first occurrences in order. Pairs, not a map: a
 * room whose value is `["a", "b"]` matches both `a` and `b` of one key.
 *
 * @example
 * ```ts
 * uniqueMetadataPairs([["k", "a"], ["k", "b"], ["k", "a"]]); // [["k", "a"], ["k", "b"]]
 * ```
 */
export function uniqueMetadataPairs(pairs: Iterable<readonly [key: string, value: string]>): [key: string, value: string][] {
  const seen = new Map<string, Set<string>>();
  const out: [string, string][] = [];
  for (const [key, value] of pairs) {
    let values = seen.get(key);
    if (values === undefined) seen.set(key, (values = new Set()));
    if (values.has(value)) continue;
    values.add(value);
    out.push([key, value]);
  }
  return out;
}

/**
 * Quotes like `@liveblocks/core`'s `objectToQuery`: JSON, then single quotes
 * unless the value contains one (so `"` needs no escape in the common case).
 */
function quote(value: string): string {
  const json = JSON.stringify(value);
  if (json.includes("'")) return json;
  return `'${json.slice(1, -1).replace(/\\"/g, '"')}'`;
}

const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ["'", "'"],
  ["\\", "\\"],
  ["/", "/"],
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
]);

class Parser {
  readonly #text: string;
  #pos = 0;
  readonly #result: RoomQuery = { metadata: [] };

  constructor(text: string) {
    this.#text = text;
  }

  parse(): RoomQuery {
    this.#skipSpace();
    if (this.#atEnd()) return this.#result;
    for (;;) {
      this.#condition();
      const afterCondition = this.#pos;
      this.#skipSpace();
      if (this.#atEnd()) {
        this.#result.metadata = uniqueMetadataPairs(this.#result.metadata);
        return this.#result;
      }
      if (this.#pos === afterCondition) {
        this.#fail(this.#pos, 'expected whitespace, "AND" or the end of the query');
      }
      const wordStart = this.#pos;
      const word = this.#identifier();
      if (word === "AND") {
        this.#skipSpace();
        if (this.#atEnd()) this.#fail(this.#pos, 'expected a condition after "AND"');
      } else {
        if (word === "OR" || word === "NOT") {
          this.#fail(wordStart, `"${word}" is not supported: conditions can only be joined with AND`);
        }
        // Whitespace alone joins conditions too: rewind and read one.
        this.#pos = wordStart;
      }
    }
  }

  #condition(): void {
    const start = this.#pos;
    const field = this.#identifier();
    if (field === "roomId") {
      this.#skipSpace();
      const operator = this.#text[this.#pos];
      if (operator !== ":" && operator !== "^") {
        this.#fail(this.#pos, `expected ':' or '^' after "roomId"`);
      }
      this.#pos++;
      this.#skipSpace();
      const value = this.#string("a quoted room id");
      if (operator === ":") this.#addRoomId(value);
      else this.#addRoomIdPrefix(value);
      return;
    }
    if (field === "metadata") {
      this.#skipSpace();
      if (this.#text[this.#pos] !== "[") this.#fail(this.#pos, `expected '[' after "metadata"`);
      this.#pos++;
      this.#skipSpace();
      const key = this.#string("a quoted metadata key");
      this.#skipSpace();
      if (this.#text[this.#pos] !== "]") this.#fail(this.#pos, "expected ']' after the metadata key");
      this.#pos++;
      this.#skipSpace();
      const operator = this.#text[this.#pos];
      if (operator === "^") {
        this.#fail(this.#pos, "metadata conditions support only exact matches (':'), not '^'");
      }
      if (operator !== ":") this.#fail(this.#pos, `expected ':' after metadata[${JSON.stringify(key)}]`);
      this.#pos++;
      this.#skipSpace();
      this.#addMetadata(key, this.#string("a quoted metadata value"));
      return;
    }
    if (field === "") this.#fail(start, 'expected a condition (roomId or metadata["key"])');
    if (field === "AND") this.#fail(start, 'expected a condition before "AND"');
    this.#fail(start, `unknown field ${JSON.stringify(field)}: expected roomId or metadata["key"]`);
  }

  #addRoomId(id: string): void {
    const result = this.#result;
    if (result.roomId !== undefined) {
      if (result.roomId !== id) result.impossible = true;
      return;
    }
    result.roomId = id;
    if (result.roomIdPrefix !== undefined) {
      if (!id.startsWith(result.roomIdPrefix)) result.impossible = true;
      delete result.roomIdPrefix;
    }
  }

  #addRoomIdPrefix(prefix: string): void {
    const result = this.#result;
    if (result.roomId !== undefined) {
      if (!result.roomId.startsWith(prefix)) result.impossible = true;
      return;
    }
    const current = result.roomIdPrefix;
    if (current === undefined || prefix.startsWith(current)) result.roomIdPrefix = prefix;
    else if (!current.startsWith(prefix)) result.impossible = true;
  }

  #addMetadata(key: string, value: string): void {
    // Two values for one key are kept, not declared impossible: an array
    // value (`tags: ["a", "b"]`) can contain both.
    this.#result.metadata.push([key, value]);
  }

  /** Reads `[A-Za-z_][A-Za-z0-9_]*`, or returns "" without moving. */
  #identifier(): string {
    const start = this.#pos;
    const text = this.#text;
    let pos = start;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
      const digit = c >= 48 && c <= 57;
      if (!letter && !(digit && pos > start)) break;
      pos++;
    }
    this.#pos = pos;
    return text.slice(start, pos);
  }

  #string(expected: string): string {
    const text = this.#text;
    const open = this.#pos;
    const quoteChar = text[open];
    if (quoteChar !== '"' && quoteChar !== "'") this.#fail(open, `expected ${expected}`);
    let out = "";
    let pos = open + 1;
    let segment = pos;
    for (;;) {
      if (pos >= text.length) this.#fail(open, "unterminated string");
      const char = text[pos];
      if (char === quoteChar) {
        this.#pos = pos + 1;
        const value = out + text.slice(segment, pos);
        // After unescaping: `\u0000` or a lone `\ud800` is text no store can hold.
        if (!isStorableText(value)) this.#fail(open, `the string ${NOT_STORABLE}`);
        return value;
      }
      if (char !== "\\") {
        pos++;
        continue;
      }
      out += text.slice(segment, pos);
      const escape = text[pos + 1];
      if (escape === undefined) this.#fail(open, "unterminated string");
      const simple = SIMPLE_ESCAPES.get(escape);
      if (simple !== undefined) {
        out += simple;
        pos += 2;
      } else if (escape === "u") {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.#fail(pos, "invalid escape sequence: expected 4 hex digits after \\u");
        }
        out += String.fromCharCode(Number.parseInt(hex, 16));
        pos += 6;
      } else {
        this.#fail(pos, `invalid escape sequence ${JSON.stringify(`\\${escape}`)}`);
      }
      segment = pos;
    }
  }

  #skipSpace(): void {
    const text = this.#text;
    while (this.#pos < text.length) {
      const c = text.charCodeAt(this.#pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      this.#pos++;
    }
  }

  #atEnd(): boolean {
    return this.#pos >= this.#text.length;
  }

  #fail(position: number, reason: string): never {
    throw new RoomQuerySyntaxError(position, reason);
  }
}
