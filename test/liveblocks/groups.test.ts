/**
 * The group methods of the facade over MemoryStore: validation (422 naming
 * the field), the member limits, errors with their codes, the organization
 * filter, and 501 for a store without the optional group part.
 */
import { describe, expect, it } from "vitest";
import { LiveblocksError, MemoryStore, type RoomStore } from "../../src/index.js";
import { makeLiveblocks, T0, tokenOf } from "./helpers.js";

async function failure(promise: Promise<unknown>): Promise<LiveblocksError> {
  const error = await promise.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LiveblocksError);
  return error as LiveblocksError;
}

/** A MemoryStore's required methods only: a store without the optional group part. */
function withoutGroups(): RoomStore {
  const inner = new MemoryStore();
  return {
    get: (...args) => inner.get(...args),
    create: (...args) => inner.create(...args),
    update: (...args) => inner.update(...args),
    delete: (...args) => inner.delete(...args),
    list: (...args) => inner.list(...args),
    revokeTokens: (...args) => inner.revokeTokens(...args),
    getRevocation: (...args) => inner.getRevocation(...args),
    subscribe: (...args) => inner.subscribe(...args),
  };
}

describe("Liveblocks groups", () => {
  it("createGroup - defaults: organization default, scopes { mention: true }, members deduplicated and stamped now", async () => {
    const { liveblocks } = makeLiveblocks();
    const group = await liveblocks.createGroup({ groupId: "eng", memberIds: ["a", "b", "a"] });
    expect(group).toEqual({
      type: "group",
      id: "eng",
      tenantId: "default",
      organizationId: "default",
      createdAt: new Date(T0),
      updatedAt: new Date(T0),
      scopes: { mention: true },
      members: [
        { id: "a", addedAt: new Date(T0) },
        { id: "b", addedAt: new Date(T0) },
      ],
    });
    expect((await liveblocks.createGroup({ groupId: "quiet", tenantId: "acme", scopes: { mention: false } })).scopes).toEqual({});
    expect((await liveblocks.getGroup({ groupId: "quiet" })).organizationId).toBe("acme");
  });

  it("errors - GROUP_ALREADY_EXISTS 409 and GROUP_NOT_FOUND 404 with Liveblocks-style messages", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createGroup({ groupId: "eng" });
    expect(await failure(liveblocks.createGroup({ groupId: "eng" }))).toMatchObject({
      status: 409,
      code: "GROUP_ALREADY_EXISTS",
      message: 'Group with id "eng" already exists.',
    });
    for (const call of [
      liveblocks.getGroup({ groupId: "x" }),
      liveblocks.deleteGroup({ groupId: "x" }),
      liveblocks.addGroupMembers({ groupId: "x", memberIds: ["a"] }),
      liveblocks.removeGroupMembers({ groupId: "x", memberIds: ["a"] }),
    ]) {
      expect(await failure(call)).toMatchObject({ status: 404, code: "GROUP_NOT_FOUND", message: 'Group with id "x" not found.' });
    }
  });

  it("validation - group ids follow the group-id rules; member lists are bounded; unknown fields are refused", async () => {
    const { liveblocks } = makeLiveblocks();
    const cases: [Promise<unknown>, RegExp][] = [
      [liveblocks.createGroup({ groupId: "" }), /'groupId'.*non-empty/],
      [liveblocks.createGroup({ groupId: "g".repeat(41) }), /'groupId'.*at most 40/],
      [liveblocks.createGroup({ groupId: "a,b" }), /'groupId'.*','/],
      [liveblocks.createGroup({ groupId: "a\u0000" }), /'groupId'/],
      [liveblocks.createGroup({ groupId: "g", memberIds: Array.from({ length: 1001 }, (_, i) => `u${i}`) }), /'memberIds'.*1000/],
      [liveblocks.createGroup({ groupId: "g", memberIds: [""] }), /'memberIds\[0\]'/],
      [liveblocks.createGroup({ groupId: "g", extra: 1 } as never), /'extra'.*not a known field/],
      [liveblocks.addGroupMembers({ groupId: "g", memberIds: [] }), /'memberIds'.*at least 1/],
      [liveblocks.getGroups({ limit: 101 }), /'limit'/],
      [liveblocks.getUserGroups({} as never), /'userId'/],
    ];
    for (const [call, message] of cases) {
      const error = await failure(call);
      expect(error.status).toBe(422);
      expect(error.message).toMatch(message);
    }
    expect((await failure(liveblocks.getGroups({ startingAfter: "nope" }))).code).toBe("INVALID_CURSOR");
    expect((await liveblocks.getGroups()).data).toEqual([]);
  });

  it("limits - groupMembers bounds a group's size atomically; nothing is written past it", async () => {
    const { liveblocks } = makeLiveblocks({ limits: { groupMembers: 3, groupMembersPerCall: 2 } });
    await liveblocks.createGroup({ groupId: "eng", memberIds: ["a", "b"] });
    expect((await failure(liveblocks.addGroupMembers({ groupId: "eng", memberIds: ["a", "b", "c"] }))).message).toMatch(/at most 2/);
    await liveblocks.addGroupMembers({ groupId: "eng", memberIds: ["c", "a"] });
    const error = await failure(liveblocks.addGroupMembers({ groupId: "eng", memberIds: ["d"] }));
    expect(error).toMatchObject({ status: 422, code: "UNPROCESSABLE_ENTITY" });
    expect(error.message).toMatch(/at most 3 members, it would have 4/);
    expect((await liveblocks.getGroup({ groupId: "eng" })).members.map((m) => m.id)).toEqual(["a", "b", "c"]);
  });

  it("getGroups / getUserGroups - organizationId filters (roomgate's); the user's groups only", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createGroup({ groupId: "a", organizationId: "acme", memberIds: ["alice"] });
    await liveblocks.createGroup({ groupId: "b", memberIds: ["alice", "bob"] });
    await liveblocks.createGroup({ groupId: "c", organizationId: "acme" });
    expect((await liveblocks.getGroups({ organizationId: "acme" })).data.map((g) => g.id)).toEqual(["a", "c"]);
    expect((await liveblocks.getUserGroups({ userId: "alice" })).data.map((g) => g.id)).toEqual(["a", "b"]);
    expect((await liveblocks.getUserGroups({ userId: "alice", organizationId: "acme" })).data.map((g) => g.id)).toEqual(["a"]);
    expect((await liveblocks.getUserGroups({ userId: "bob" })).data.map((g) => g.id)).toEqual(["b"]);
  });

  it("a store without the group methods - every group method rejects with 501 NOT_IMPLEMENTED", async () => {
    const store = withoutGroups();
    const { liveblocks } = makeLiveblocks({ store });
    for (const call of [
      liveblocks.createGroup({ groupId: "g" }),
      liveblocks.getGroup({ groupId: "g" }),
      liveblocks.getGroups(),
      liveblocks.getUserGroups({ userId: "u" }),
    ]) {
      expect(await failure(call)).toMatchObject({ status: 501, code: "NOT_IMPLEMENTED" });
    }
  });
});

describe('Liveblocks groupsFrom: "store"', () => {
  it("identifyUser - merges the user's stored groups of the token's organization after the given ones", async () => {
    const { liveblocks } = makeLiveblocks({ groupsFrom: "store" });
    await liveblocks.createGroup({ groupId: "eng", memberIds: ["alice"] });
    await liveblocks.createGroup({ groupId: "ops", memberIds: ["alice", "bob"] });
    await liveblocks.createGroup({ groupId: "acme-eng", organizationId: "acme", memberIds: ["alice"] });
    const gids = async (identity: Parameters<typeof liveblocks.identifyUser>[0]) => {
      const { status, body } = await liveblocks.identifyUser(identity);
      expect(status).toBe(200);
      return ((await liveblocks.verifyToken(tokenOf(body))) as { gids?: string[] }).gids;
    };
    expect(await gids("alice")).toEqual(["eng", "ops"]);
    expect(await gids({ userId: "alice", groupIds: ["ops", "guests"] })).toEqual(["ops", "guests", "eng"]);
    expect(await gids({ userId: "alice", organizationId: "acme" })).toEqual(["acme-eng"]);
    expect(await gids("carol")).toEqual([]);
    await liveblocks.removeGroupMembers({ groupId: "eng", memberIds: ["alice"] });
    expect(await gids("alice")).toEqual(["ops"]);
  });

  it("identifyUser - the default (token) reads no stored group; bad input still answers 422; an empty userId throws", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createGroup({ groupId: "eng", memberIds: ["alice"] });
    expect(
      ((await liveblocks.verifyToken(tokenOf((await liveblocks.identifyUser("alice")).body))) as { gids?: string[] }).gids,
    ).toBeUndefined();
    const fromStore = makeLiveblocks({ groupsFrom: "store" }).liveblocks;
    expect((await fromStore.identifyUser({ userId: "alice", groupIds: ["a,b"] })).status).toBe(422);
    await expect(fromStore.identifyUser("")).rejects.toThrow(/userId/);
    expect(() => makeLiveblocks({ groupsFrom: "ldap" as never })).toThrow(/groupsFrom/);
  });

  it("identifyUser - a store without groups or a failing one answers 503, never a token", async () => {
    const bare = withoutGroups();
    // The auth methods answer any 5xx as 503, as @liveblocks/node does; the message says why.
    expect(await makeLiveblocks({ store: bare, groupsFrom: "store" }).liveblocks.identifyUser("alice")).toMatchObject({
      status: 503,
      body: "Groups is not supported by this store.",
    });
    const failing: RoomStore = Object.assign(Object.create(new MemoryStore()) as RoomStore, {
      listGroups: () => Promise.reject(new Error("disk on fire")),
    });
    const answer = await makeLiveblocks({ store: failing, groupsFrom: "store" }).liveblocks.identifyUser("alice");
    expect(answer.status).toBe(503);
    expect(answer.body).not.toContain("token");
  });
});
