import { objectToQuery } from "@liveblocks/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStorableText } from "../../src/rooms/text.js";
import { RoomQuerySyntaxError, formatRoomQuery, parseRoomQuery, roomQueryFromObject } from "../../src/protocol/query.js";

function syntaxError(query: string): RoomQuerySyntaxError {
  try {
    parseRoomQuery(query);
  } catch (error) {
    if (error instanceof RoomQuerySyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(query)} to be rejected`);
}

/** Arbitrary strings, lone surrogates, quotes and backslashes included. */
const rawString = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({ unit: fc.constantFrom('"', "'", "\\", "u", "0", " ", "]", "\n", "\u2028", "é", "\ud83d", "\ude00", "\0") }),
);

/** The values a query can carry: storable text (no NUL, no lone surrogate). */
const anyString = rawString.filter(isStorableText);

describe("parseRoomQuery", () => {
  // Regression (hardening round two, item 12): `\u0000` and `\ud800` escapes reached Postgres (500, or a match on U+FFFD).
  it("parseRoomQuery - property: a quoted value is refused exactly when it unescapes to text no store can hold", () => {
    fc.assert(
      fc.property(rawString, (value) => {
        // Control characters and lone surrogates as \\u escapes; quotes and backslashes escaped.
        const escapeUnit = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
        const escaped = [...value]
          .map((c) =>
            c.length === 1 && (c < " " || (c.charCodeAt(0) & 0xf800) === 0xd800) ? escapeUnit(c) : c === '"' || c === "\\" ? `\\${c}` : c,
          )
          .join("");
        const query = `roomId:"${escaped}"`;
        if (isStorableText(value)) expect(parseRoomQuery(query).roomId).toBe(value);
        else expect(() => parseRoomQuery(query)).toThrow(/must not contain NUL characters or unpaired surrogates/);
      }),
    );
  });

  it("parseRoomQuery - the empty or blank query matches everything", () => {
    expect(parseRoomQuery("")).toEqual({ metadata: [] });
    expect(parseRoomQuery(" \t\r\n ")).toEqual({ metadata: [] });
  });

  it("parseRoomQuery - reads the documented example", () => {
    expect(parseRoomQuery('metadata["status"]:"open" AND roomId^"liveblocks:"')).toEqual({
      roomIdPrefix: "liveblocks:",
      metadata: [["status", "open"]],
    });
  });

  it("parseRoomQuery - reads roomId exact and prefix", () => {
    expect(parseRoomQuery('roomId:"my-room"')).toEqual({ roomId: "my-room", metadata: [] });
    expect(parseRoomQuery('roomId^"org:"')).toEqual({ roomIdPrefix: "org:", metadata: [] });
  });

  it("parseRoomQuery - joins conditions with AND or whitespace", () => {
    const expected = {
      roomIdPrefix: "p",
      metadata: [
        ["a", "1"],
        ["b", "2"],
      ],
    };
    expect(parseRoomQuery('metadata["a"]:"1" AND metadata["b"]:"2" AND roomId^"p"')).toEqual(expected);
    expect(parseRoomQuery('metadata["a"]:"1" metadata["b"]:"2"\n\troomId^"p"')).toEqual(expected);
    expect(parseRoomQuery('  metadata["a"]:"1"   AND\nmetadata["b"]:"2" roomId^"p"  ')).toEqual(expected);
  });

  it("parseRoomQuery - allows whitespace inside a condition", () => {
    expect(parseRoomQuery('metadata [ "a" ] : "1" roomId ^ "p"')).toEqual({
      roomIdPrefix: "p",
      metadata: [["a", "1"]],
    });
  });

  it("parseRoomQuery - reads the single quotes the SDK sends", () => {
    expect(parseRoomQuery("roomId^'liveblocks:' metadata['status']:'open'")).toEqual({
      roomIdPrefix: "liveblocks:",
      metadata: [["status", "open"]],
    });
    expect(parseRoomQuery(`metadata['say "hi"']:'it\\'s'`)).toEqual({
      metadata: [['say "hi"', "it's"]],
    });
  });

  it("parseRoomQuery - decodes escapes", () => {
    expect(parseRoomQuery(String.raw`roomId:"a\"b\\c\/d\n\t\r\b\f\u00e9\ud83d\ude00"`).roomId).toBe('a"b\\c/d\n\t\r\b\f\u00e9\u{1f600}');
  });

  it("parseRoomQuery - keeps operators and keywords inside strings literal", () => {
    expect(parseRoomQuery(`metadata["a AND b"]:"roomId^'x' ]"`)).toEqual({
      metadata: [["a AND b", "roomId^'x' ]"]],
    });
  });

  it("parseRoomQuery - reserved words are ordinary keys and values", () => {
    expect(parseRoomQuery('metadata["__proto__"]:"constructor" roomId:"toString"')).toEqual({
      roomId: "toString",
      metadata: [["__proto__", "constructor"]],
    });
  });

  it("parseRoomQuery - a repeated identical metadata pair appears once", () => {
    expect(parseRoomQuery('metadata["a"]:"1" metadata["a"]:"1"').metadata).toEqual([["a", "1"]]);
  });

  it("parseRoomQuery - one metadata key with two values keeps both (an array can hold both)", () => {
    const query = parseRoomQuery('metadata["tags"]:"a" metadata["tags"]:"b"');
    expect(query).toEqual({
      metadata: [
        ["tags", "a"],
        ["tags", "b"],
      ],
    });
  });

  describe("combining roomId conditions", () => {
    const cases: [string, string, object][] = [
      ["two prefixes keep the longer", 'roomId^"org:" roomId^"org:team"', { roomIdPrefix: "org:team" }],
      ["two prefixes in either order", 'roomId^"org:team" roomId^"org:"', { roomIdPrefix: "org:team" }],
      ["two unrelated prefixes match nothing", 'roomId^"a" roomId^"b"', { roomIdPrefix: "a", impossible: true }],
      ["exact then a prefix it starts with", 'roomId:"org:1" roomId^"org:"', { roomId: "org:1" }],
      ["a prefix then an exact that starts with it", 'roomId^"org:" roomId:"org:1"', { roomId: "org:1" }],
      ["exact and a prefix it lacks match nothing", 'roomId:"x" roomId^"org:"', { roomId: "x", impossible: true }],
      ["a prefix and an exact that lacks it", 'roomId^"org:" roomId:"x"', { roomId: "x", impossible: true }],
      ["two equal exacts", 'roomId:"a" roomId:"a"', { roomId: "a" }],
      ["two different exacts match nothing", 'roomId:"a" roomId:"b"', { roomId: "a", impossible: true }],
      ["exact ids are case-sensitive", 'roomId:"a" roomId:"A"', { roomId: "a", impossible: true }],
    ];
    for (const [behaviour, query, expected] of cases) {
      it(`parseRoomQuery - ${behaviour}`, () => {
        expect(parseRoomQuery(query)).toEqual({ metadata: [], ...expected });
      });
    }
  });

  describe("syntax errors", () => {
    const cases: [string, string, number, string][] = [
      ["an unknown field", 'status:"open"', 0, 'unknown field "status": expected roomId or metadata["key"]'],
      ["fields are case-sensitive", 'roomid:"a"', 0, 'unknown field "roomid": expected roomId or metadata["key"]'],
      ["a missing operator after roomId", 'metadata["a"]:"b" roomId"x"', 24, `expected ':' or '^' after "roomId"`],
      ["roomId at the end", "roomId", 6, `expected ':' or '^' after "roomId"`],
      ["an unquoted value", "roomId:abc", 7, "expected a quoted room id"],
      ["a number value", 'metadata["n"]:1', 14, "expected a quoted metadata value"],
      ["null value", "metadata['n']:null", 14, "expected a quoted metadata value"],
      ["metadata without a bracket", 'metadata."a":"b"', 8, `expected '[' after "metadata"`],
      ["an unquoted metadata key", "metadata[a]:'b'", 9, "expected a quoted metadata key"],
      ["an unclosed bracket", 'metadata["a":"b"', 12, "expected ']' after the metadata key"],
      ["metadata with a prefix", 'metadata["a"]^"b"', 13, "metadata conditions support only exact matches (':'), not '^'"],
      ["metadata with another operator", 'metadata["a"]>"b"', 13, `expected ':' after metadata["a"]`],
      ["an unterminated string", 'roomId:"abc', 7, "unterminated string"],
      ["an unterminated string after a backslash", 'roomId:"abc\\', 7, "unterminated string"],
      ["a quote of the other kind does not close", `roomId:"abc'`, 7, "unterminated string"],
      ["an unknown escape", 'roomId:"a\\x"', 9, 'invalid escape sequence "\\\\x"'],
      ["a short unicode escape", 'roomId:"\\u12"', 8, "invalid escape sequence: expected 4 hex digits after \\u"],
      ["conditions not separated", 'roomId:"a"roomId:"b"', 10, 'expected whitespace, "AND" or the end of the query'],
      ["a trailing AND", 'roomId:"a" AND ', 15, 'expected a condition after "AND"'],
      ["a leading AND", 'AND roomId:"a"', 0, 'expected a condition before "AND"'],
      ["a double AND", 'roomId:"a" AND AND roomId:"b"', 15, 'expected a condition before "AND"'],
      ["OR", 'roomId:"a" OR roomId:"b"', 11, '"OR" is not supported: conditions can only be joined with AND'],
      ["lowercase and", 'roomId:"a" and roomId:"b"', 11, 'unknown field "and": expected roomId or metadata["key"]'],
      ["a parenthesis", '(roomId:"a")', 0, 'expected a condition (roomId or metadata["key"])'],
      ["a bare string", '"abc"', 0, 'expected a condition (roomId or metadata["key"])'],
    ];
    for (const [behaviour, query, position, reason] of cases) {
      it(`parseRoomQuery - rejects ${behaviour}`, () => {
        const error = syntaxError(query);
        expect(error).toBeInstanceOf(RoomQuerySyntaxError);
        expect(error.name).toBe("RoomQuerySyntaxError");
        expect(error.code).toBe("ERR_ROOM_QUERY_SYNTAX");
        expect(error.position).toBe(position);
        expect(error.message).toBe(`Invalid query at position ${position}: ${reason}`);
      });
    }
  });

  it("parseRoomQuery - throws nothing but RoomQuerySyntaxError on arbitrary input", () => {
    const tokens = fc.constantFrom(
      "roomId",
      "metadata",
      "AND",
      "OR",
      "[",
      "]",
      ":",
      "^",
      '"',
      "'",
      "\\",
      "\\u",
      "00e9",
      "a",
      " ",
      "\n",
      '"x"',
      "'y'",
    );
    const grammarish = fc.array(tokens, { maxLength: 30 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.oneof(grammarish, fc.string({ unit: "binary" })), (query) => {
        try {
          const result = parseRoomQuery(query);
          expect(Array.isArray(result.metadata)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(RoomQuerySyntaxError);
          const { position } = error as RoomQuerySyntaxError;
          expect(position).toBeGreaterThanOrEqual(0);
          expect(position).toBeLessThanOrEqual(query.length);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("parseRoomQuery - stays linear on long inputs", () => {
    const inputs = [
      'roomId^"a" AND '.repeat(50_000) + 'roomId^"a"',
      `metadata["k"]:"${"\\\\".repeat(200_000)}"`,
      `metadata["k"]:"${"\\u00e9".repeat(100_000)}"`,
      Array.from({ length: 20_000 }, (_, i) => `metadata["k${i}"]:"v"`).join(" "),
      Array.from({ length: 20_000 }, (_, i) => `metadata["k"]:"v${i}"`).join(" "),
      `roomId:"${"a".repeat(500_000)}`,
      " ".repeat(500_000) + "x",
    ];
    const started = performance.now();
    for (const input of inputs) {
      try {
        parseRoomQuery(input);
      } catch (error) {
        expect(error).toBeInstanceOf(RoomQuerySyntaxError);
      }
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("formatRoomQuery", () => {
  it("formatRoomQuery - writes every condition, quoted like the SDK", () => {
    expect(
      formatRoomQuery({
        roomId: "a",
        roomIdPrefix: "",
        metadata: [
          ["k", 'say "hi"'],
          ["it's", "v"],
        ],
      }),
    ).toBe(`roomId:'a' roomId^'' metadata['k']:'say "hi"' metadata["it's"]:'v'`);
  });

  it("formatRoomQuery - an empty filter is the empty query", () => {
    expect(formatRoomQuery({})).toBe("");
    expect(formatRoomQuery({ metadata: [] })).toBe("");
  });

  it("formatRoomQuery - round-trips through parseRoomQuery", () => {
    const filter = fc.record({
      id: fc.oneof(fc.record({ roomId: anyString }), fc.record({ roomIdPrefix: anyString }), fc.constant({})),
      metadata: fc.uniqueArray(fc.tuple(anyString, anyString), {
        maxLength: 5,
        selector: ([key, value]) => `${key.length}:${key}${value}`,
      }),
    });
    fc.assert(
      fc.property(filter, ({ id, metadata }) => {
        const parsed = parseRoomQuery(formatRoomQuery({ ...id, metadata }));
        expect(parsed).toEqual({ ...id, metadata });
      }),
      { numRuns: 1000 },
    );
  });
});

describe("roomQueryFromObject", () => {
  it("roomQueryFromObject - writes the documented example as the SDK does", () => {
    const query = { metadata: { status: "open" }, roomId: { startsWith: "liveblocks:" } };
    expect(roomQueryFromObject(query)).toBe("roomId^'liveblocks:' metadata['status']:'open'");
    expect(parseRoomQuery(roomQueryFromObject(query))).toEqual({
      roomIdPrefix: "liveblocks:",
      metadata: [["status", "open"]],
    });
  });

  it("roomQueryFromObject - an empty object is the empty query", () => {
    expect(roomQueryFromObject({})).toBe("");
    expect(roomQueryFromObject({ metadata: {} })).toBe("");
  });

  it("roomQueryFromObject - a metadata key named startsWith is an ordinary key", () => {
    expect(parseRoomQuery(roomQueryFromObject({ metadata: { startsWith: "x" } })).metadata).toEqual([["startsWith", "x"]]);
  });

  it("roomQueryFromObject - a null value is written as the SDK writes it, and rejected", () => {
    const text = roomQueryFromObject({ metadata: { a: null } });
    expect(text).toBe(objectToQuery({ metadata: { a: null } }));
    expect(() => parseRoomQuery(text)).toThrow(RoomQuerySyntaxError);
  });

  it("roomQueryFromObject - is byte for byte what @liveblocks/core sends", () => {
    // The SDK rejects empty or blank keys and treats a `startsWith` key as an operator.
    const key = anyString.filter((k) => k.trim() !== "" && k !== "startsWith");
    const query = fc.record(
      {
        metadata: fc.dictionary(key, anyString, { maxKeys: 5 }),
        roomId: fc.record({ startsWith: anyString }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(query, (object) => {
        const text = roomQueryFromObject(object);
        expect(text).toBe(objectToQuery(object));
        const parsed = parseRoomQuery(text);
        expect(parsed.roomIdPrefix).toBe(object.roomId?.startsWith);
        expect(parsed.metadata).toEqual(Object.entries(object.metadata ?? {}));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("roomQueryFromObject input checks", () => {
  it("roomQueryFromObject - rejects a roomId that is not { startsWith: string }", () => {
    expect(() => roomQueryFromObject({ roomId: "abc" } as never)).toThrow(TypeError);
    expect(() => roomQueryFromObject({ roomId: { startsWith: 1 } } as never)).toThrow(TypeError);
  });
});
