/**
 * `isRoomIdFast`, the room-id check of the entry hot path, against the
 * `roomId` schema it stands in for: it accepts only ids the schema accepts
 * (the schema still decides, and words, every refusal).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../../src/index.js";
import { isRoomIdFast } from "../../../src/liveblocks/identity-fast-path.js";
import { createSchemas } from "../../../src/liveblocks/schemas.js";

describe("isRoomIdFast - agrees with the roomId schema", () => {
  // A small limit, so generated ids cross it often (in UTF-16 units and in code points).
  const limits = { ...DEFAULT_LIMITS, roomIdLength: 4 };
  const schema = createSchemas(limits).roomId;
  const id = fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 4 }) },
    { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom("", ".", "..", "...", "a*", "*", "a\0", "\uD800", "a\uDC00b", "😀😀", "😀😀😀😀😀", "__proto__"),
    },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, 0, true, {}, ["a"]) },
  );

  it("property - every id it accepts, the schema accepts", () => {
    fc.assert(
      fc.property(id, (value) => {
        if (isRoomIdFast(value, limits)) expect(schema.safeParse(value).success).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it("property - ordinary ids are decided by hand (the schema only words errors)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9:_-]{1,4}$/), (value) => {
        fc.pre(value !== "." && value !== "..");
        expect(isRoomIdFast(value, limits)).toBe(true);
      }),
    );
  });

  it("isRoomIdFast - refuses what the schema refuses: empty, too long, '*', dots, NUL, a lone surrogate", () => {
    for (const bad of ["", "abcde", "a*", ".", "..", "a\0", "\uD800"]) {
      expect(isRoomIdFast(bad, limits), bad).toBe(false);
      expect(schema.safeParse(bad).success, bad).toBe(false);
    }
    expect(isRoomIdFast("😀😀😀😀", limits)).toBe(schema.safeParse("😀😀😀😀").success);
  });
});
