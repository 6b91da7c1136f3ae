/**
 * Security review "hardening, round two", on the default MemoryStore: each
 * test names the finding it guards (items 4, 5, 6, 12, 13).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/stores/memory/store.js";
import { encodeCursor } from "../../src/rooms/cursor.js";
import type { RoomAccessResult } from "../../src/index.js";
import { T0, makeLiveblocks, tokenOf } from "./helpers.js";

const invalid = (field: string, rule: string, code = "UNPROCESSABLE_ENTITY") => ({
  status: 422,
  code,
  message: `Invalid value for field '${field}': ${rule}`,
});

/** Two instances over one store, the second's clock `skewMs` ahead of the first's. */
async function twoInstances(skewMs: number) {
  const store = new MemoryStore();
  const a = makeLiveblocks({ store });
  const b = makeLiveblocks({ store });
  b.clock.now = T0 + skewMs;
  await a.liveblocks.createRoom("room", { defaultAccesses: ["room:write"] });
  return { a, b, tick: (ms: number) => ((a.clock.now += ms), (b.clock.now += ms)) };
}

describe("item 4 - revocation and clock skew", () => {
  it("revokeTokens - revokes a token minted just before it by an instance whose clock runs ahead", async () => {
    const { a, b } = await twoInstances(30_000);
    const token = tokenOf((await b.liveblocks.identifyUser("alice")).body);
    expect((await a.liveblocks.checkRoomAccess(token, "room")).allowed).toBe(true);
    await a.liveblocks.revokeTokens({ userId: "alice" });
    expect(await a.liveblocks.checkRoomAccess(token, "room")).toMatchObject({ allowed: false, reason: "revoked" });
    expect(await b.liveblocks.checkRoomAccess(token, "room")).toMatchObject({ allowed: false, reason: "revoked" });
  });

  it("revokeTokens - a skew up to the clock tolerance is covered, on every instance", async () => {
    for (const skew of [1_000, 59_000, 60_000]) {
      const { a, b } = await twoInstances(skew);
      const token = tokenOf((await b.liveblocks.identifyUser("alice")).body);
      await a.liveblocks.revokeTokens({ userId: "alice" });
      expect((await b.liveblocks.checkRoomAccess(token, "room")).allowed, `skew ${skew}`).toBe(false);
    }
  });

  it("watchRoomAccess - a watch on the skewed token ends with revoked", async () => {
    const { a, b } = await twoInstances(30_000);
    const token = tokenOf((await b.liveblocks.identifyUser("alice")).body);
    const seen: RoomAccessResult[] = [];
    const watch = await a.liveblocks.watchRoomAccess(token, "room", (access) => seen.push(access));
    expect(watch.access.allowed).toBe(true);
    await a.liveblocks.revokeTokens({ userId: "alice" });
    expect(seen).toMatchObject([{ allowed: false, reason: "revoked" }]);
    watch.stop();
  });

  it("onTokensRevoked - hands the stored cutoff; the check adds the clock tolerance to it", async () => {
    const { a } = await twoInstances(0);
    const events: { userId: string; issuedBefore: number }[] = [];
    a.liveblocks.onTokensRevoked((event) => events.push(event));
    await a.liveblocks.revokeTokens({ userId: "alice" });
    // The store keeps the revocation's own time; each instance adds its tolerance when judging.
    expect(events).toEqual([{ userId: "alice", issuedBefore: T0 }]);
    expect(await a.liveblocks.getTokenRevocation({ userId: "alice" })).toEqual({ issuedBefore: T0 });
    const token = tokenOf((await a.liveblocks.identifyUser("alice")).body);
    expect(await a.liveblocks.checkRoomAccess(token, "room")).toMatchObject({
      reason: "revoked",
      message: 'Tokens of user "alice" issued up to 2026-11-28T12:01:00Z are revoked.',
    });
  });

  it("revokeTokens - a new token is denied for at most the clock tolerance after the revocation (bounded lockout)", async () => {
    const { a, tick } = await twoInstances(0);
    await a.liveblocks.revokeTokens({ userId: "alice" });
    tick(1_000);
    const early = tokenOf((await a.liveblocks.identifyUser("alice")).body);
    expect(await a.liveblocks.checkRoomAccess(early, "room")).toMatchObject({ allowed: false, reason: "revoked" });
    tick(60_000);
    const later = tokenOf((await a.liveblocks.identifyUser("alice")).body);
    expect((await a.liveblocks.checkRoomAccess(later, "room")).allowed).toBe(true);
  });

  it("revokeTokens - clockTolerance 0 keeps the exact cutoff: a token of the next second passes", async () => {
    const store = new MemoryStore();
    const { liveblocks, clock } = makeLiveblocks({ store, clockTolerance: 0 });
    await liveblocks.createRoom("room", { defaultAccesses: ["room:write"] });
    await liveblocks.revokeTokens({ userId: "alice" });
    clock.now += 1_000;
    const token = tokenOf((await liveblocks.identifyUser("alice")).body);
    expect((await liveblocks.checkRoomAccess(token, "room")).allowed).toBe(true);
  });
});

describe("item 5 - issuedBefore bounded, and a cutoff can be cleared", () => {
  it("revokeTokens - issuedBefore must be integer epoch milliseconds", async () => {
    const { liveblocks } = makeLiveblocks();
    for (const bad of [1.5, T0 + 0.5, 2 ** 53, -(2 ** 53), Number.NaN, new Date(Number.NaN)]) {
      await expect(liveblocks.revokeTokens({ userId: "alice", issuedBefore: bad })).rejects.toMatchObject({
        status: 422,
        code: "UNPROCESSABLE_ENTITY",
      });
    }
    await expect(liveblocks.revokeTokens({ userId: "alice", issuedBefore: 1.5 })).rejects.toMatchObject(
      invalid("issuedBefore", "must be a Date or an integer of epoch milliseconds"),
    );
    expect(await liveblocks.getTokenRevocation({ userId: "alice" })).toEqual({ issuedBefore: null });
  });

  it("revokeTokens - issuedBefore no later than now plus the clock tolerance", async () => {
    const { liveblocks } = makeLiveblocks();
    await expect(liveblocks.revokeTokens({ userId: "alice", issuedBefore: 1e300 })).rejects.toMatchObject({ status: 422 });
    await expect(liveblocks.revokeTokens({ userId: "alice", issuedBefore: T0 + 60_001 })).rejects.toMatchObject(
      invalid("issuedBefore", "must be no later than now plus the clock tolerance (60 s)"),
    );
    await liveblocks.revokeTokens({ userId: "alice", issuedBefore: new Date(T0 + 60_000) });
    expect(await liveblocks.getTokenRevocation({ userId: "alice" })).toEqual({ issuedBefore: T0 + 60_000 });
  });

  it("revokeTokens - property: accepted exactly when a safe integer no later than now + tolerance", async () => {
    const { liveblocks } = makeLiveblocks();
    const limit = T0 + 60_000;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: -1e15, max: limit + 1e6 }), fc.double(), fc.integer({ min: limit - 5, max: limit + 5 })),
        async (value) => {
          const ok = Number.isSafeInteger(value) && value <= limit;
          const result = await liveblocks.revokeTokens({ userId: "p", issuedBefore: value }).then(
            () => true,
            (error: { status?: number }) => (error.status === 422 ? false : Promise.reject(error)),
          );
          expect(result).toBe(ok);
        },
      ),
    );
  });

  it("clearTokenRevocation - lifts a cutoff, even a far one, so the user's tokens pass again", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("room", { defaultAccesses: ["room:write"] });
    await liveblocks.revokeTokens({ userId: "alice", issuedBefore: T0 + 60_000 });
    const token = tokenOf((await liveblocks.identifyUser("alice")).body);
    expect((await liveblocks.checkRoomAccess(token, "room")).allowed).toBe(false);
    await liveblocks.clearTokenRevocation({ userId: "alice" });
    expect(await liveblocks.getTokenRevocation({ userId: "alice" })).toEqual({ issuedBefore: null });
    expect((await liveblocks.checkRoomAccess(token, "room")).allowed).toBe(true);
    // Clearing a user without a cutoff succeeds.
    await liveblocks.clearTokenRevocation({ userId: "bob" });
    await expect(liveblocks.clearTokenRevocation({ userId: "a\0b" })).rejects.toMatchObject({ status: 422 });
  });
});

describe("item 6 - group ids with commas", () => {
  const rule = "must not contain ',' (group ids travel comma-joined)";

  it("identifyUser - a group id with a comma is a 422", async () => {
    const { liveblocks } = makeLiveblocks();
    const result = await liveblocks.identifyUser({ userId: "alice", groupIds: ["guests,admins"] });
    expect(result.status).toBe(422);
    expect(result.body).toContain("groupIds[0]");
    expect(result.body).toContain(rule);
  });

  it("createRoom / updateRoom / upsertRoom - a groupsAccesses key with a comma is a 422", async () => {
    const { liveblocks } = makeLiveblocks();
    await expect(
      liveblocks.createRoom("r", { defaultAccesses: [], groupsAccesses: { "guests,admins": ["room:write"] } }),
    ).rejects.toMatchObject(invalid('groupsAccesses["guests,admins"]', `keys ${rule}`));
    await liveblocks.createRoom("r", { defaultAccesses: [] });
    await expect(liveblocks.updateRoom("r", { groupsAccesses: { "a,b": ["room:write"] } })).rejects.toMatchObject({ status: 422 });
    await expect(liveblocks.upsertRoom("r", { update: { groupsAccesses: { "a,b": ["room:write"] } } })).rejects.toMatchObject({
      status: 422,
    });
    // usersAccesses keys are not group ids: a comma stays allowed there.
    await liveblocks.updateRoom("r", { usersAccesses: { "a,b": ["room:write"] } });
  });

  it("getRooms - a groupIds entry with a comma is a 422", async () => {
    const { liveblocks } = makeLiveblocks();
    await expect(liveblocks.getRooms({ groupIds: ["guests,admins"] })).rejects.toMatchObject(invalid("groupIds[0]", rule));
  });

  it("property - identifyUser accepts a group id exactly when it has no comma (and is otherwise valid)", async () => {
    const { liveblocks } = makeLiveblocks();
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40, unit: fc.constantFrom("a", ",", "b", " ") }), async (groupId) => {
        const { status } = await liveblocks.identifyUser({ userId: "u", groupIds: [groupId] });
        expect(status).toBe(groupId.includes(",") ? 422 : 200);
      }),
    );
  });
});

describe("item 12 - NUL and lone surrogates after unescaping", () => {
  it("getRooms - a \\u0000 or lone-surrogate escape in a quoted query value is a 422 INVALID_QUERY", async () => {
    const { liveblocks } = makeLiveblocks();
    for (const query of ['roomId:"a\\u0000b"', "roomId^'\\ud800'", 'metadata["k\\u0000"]:"v"', 'metadata["k"]:"\\udc00x"']) {
      await expect(liveblocks.getRooms({ query }), query).rejects.toMatchObject({ status: 422, code: "INVALID_QUERY" });
    }
    // A well-formed pair written as two escapes is one character, and fine.
    await expect(liveblocks.getRooms({ query: 'roomId:"\\ud83d\\ude00"' })).resolves.toEqual({ nextCursor: null, data: [] });
  });

  it("getRooms - a cursor whose id holds NUL or a lone surrogate is a 422 INVALID_CURSOR", async () => {
    const { liveblocks } = makeLiveblocks();
    for (const id of ["a\0b", "\ud800"]) {
      await expect(liveblocks.getRooms({ startingAfter: encodeCursor({ ms: T0, id }) })).rejects.toMatchObject({
        status: 422,
        code: "INVALID_CURSOR",
      });
    }
  });

  it("getTokenRevocation - a user id with NUL is a 422", async () => {
    const { liveblocks } = makeLiveblocks();
    await expect(liveblocks.getTokenRevocation({ userId: "a\0b" })).rejects.toMatchObject({ status: 422 });
    await expect(liveblocks.getTokenRevocation({ userId: "\udc00" })).rejects.toMatchObject({ status: 422 });
  });
});

describe("item 13 - room ids . and ..", () => {
  it("createRoom / getRoom / updateRoomId - '.' and '..' are a 422", async () => {
    const { liveblocks } = makeLiveblocks();
    for (const id of [".", ".."]) {
      await expect(liveblocks.createRoom(id, { defaultAccesses: [] })).rejects.toMatchObject(
        invalid("roomId", "must not be '.' or '..' (no URL path can name them)"),
      );
      await expect(liveblocks.upsertRoom(id, { update: { defaultAccesses: [] } })).rejects.toMatchObject({ status: 422 });
      await expect(liveblocks.getRoom(id)).rejects.toMatchObject({ status: 422 });
    }
    await liveblocks.createRoom("a", { defaultAccesses: [] });
    await expect(liveblocks.updateRoomId({ currentRoomId: "a", newRoomId: ".." })).rejects.toMatchObject({ status: 422 });
    // Dots elsewhere are ordinary.
    for (const id of ["...", ".a", "a.", "./"]) await liveblocks.createRoom(id, { defaultAccesses: [] });
  });
});
