import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_DENIAL_MESSAGE_BYTES } from "../../../src/index.js";
import { fitUtf8 } from "../../../src/liveblocks/entry/denial.js";
import { makeLiveblocks, tokenOf } from "../helpers.js";

const bytes = (text: string) => Buffer.byteLength(text, "utf8");
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Long strings of every kind of UTF-16 unit: ASCII, 2- and 3-byte, pairs, lone surrogates. */
const hostile = fc.oneof(
  fc.string({ unit: "binary", maxLength: 400, size: "max" }),
  fc.string({ unit: "grapheme", maxLength: 200, size: "max" }),
  fc.string({ unit: fc.constantFrom("😀", "é", "€", "\uD800", "\uDC00", "a", '"', "\\"), maxLength: 300, size: "max" }),
);

describe("fitUtf8", () => {
  it("fitUtf8 - property: at most the limit in UTF-8, a prefix of the input, no surrogate pair cut in two", () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 3, max: 200 }), (text, max) => {
        const fitted = fitUtf8(text, max);
        expect(bytes(fitted)).toBeLessThanOrEqual(max);
        if (bytes(text) <= max) {
          expect(fitted).toBe(text);
          return;
        }
        expect(fitted.endsWith("…")).toBe(true);
        const kept = fitted.slice(0, -1);
        expect(text.startsWith(kept)).toBe(true);
        // The cut never leaves the high half of a pair whose low half was dropped.
        const last = kept.charCodeAt(kept.length - 1);
        const next = text.charCodeAt(kept.length);
        expect(last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff).toBe(false);
        // And it keeps as much as fits: one more character would not.
        const width = next >= 0xd800 && next <= 0xdbff && text.charCodeAt(kept.length + 1) >= 0xdc00 ? 2 : 1;
        expect(bytes(text.slice(0, kept.length + width)) + 3).toBeGreaterThan(max);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("checkRoomAccess - denial messages fit a WebSocket close reason", () => {
  it("checkRoomAccess - property: random long and unicode tokens and room ids give messages of at most 123 bytes", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("private", { defaultAccesses: [] });
    const storable = fc
      .string({ unit: fc.constantFrom("😀", "é", "€", "a", '"'), minLength: 1, maxLength: 64, size: "max" })
      .filter((s) => s.length <= 128);
    const tokens = fc.oneof(
      hostile,
      // Header values that verifiers echo in their messages.
      fc.record({ alg: hostile, kid: hostile }).map(({ alg, kid }) => `${b64({ alg, typ: "JWT", kid })}.${b64({})}.sig`),
      fc.record({ kid: hostile }).map(({ kid }) => `${b64({ alg: "HS256", typ: "JWT", kid })}.${b64({})}.sig`),
      // Valid tokens of long unicode users: their ids are echoed in no-access, revoked, room-not-found.
      fc.tuple(storable, fc.boolean()).map(async ([userId, revoke]) => {
        const token = tokenOf((await liveblocks.identifyUser(userId)).body);
        if (revoke) await liveblocks.revokeTokens({ userId });
        return token;
      }),
    );
    const rooms = fc.oneof(hostile, storable, fc.constant("private"));
    await fc.assert(
      fc.asyncProperty(tokens, rooms, async (token, roomId) => {
        const result = await liveblocks.checkRoomAccess(await token, roomId);
        expect(result.allowed).toBe(false);
        if (!result.allowed) {
          expect(result.message.length).toBeGreaterThan(0);
          expect(bytes(result.message)).toBeLessThanOrEqual(MAX_DENIAL_MESSAGE_BYTES);
        }
      }),
      { numRuns: 500 },
    );
  });

  // Regression: a 100-character alg, kid or room id gave
  // 143–410-byte messages, and ws throws RangeError past 123.
  it("checkRoomAccess - the echoed id is cut, the sentence around it kept", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("private", { defaultAccesses: [] });
    const user = "😀".repeat(64);
    const token = tokenOf((await liveblocks.identifyUser(user)).body);
    const denied = await liveblocks.checkRoomAccess(token, "private");
    expect(denied).toMatchObject({ reason: "no-access" });
    const message = (denied as { message: string }).message;
    expect(message).toBe(`User "${"😀".repeat(9)}…" may not enter room "private".`);
    const missing = await liveblocks.checkRoomAccess(token, "r".repeat(128));
    expect(missing).toMatchObject({ reason: "room-not-found", message: `Room with id "${"r".repeat(37)}…" not found.` });
    expect(MAX_DENIAL_MESSAGE_BYTES).toBe(123);
  });
});
