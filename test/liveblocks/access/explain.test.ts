import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LiveblocksError, MemoryStore, RESOURCES, explainAccess, resolveAccess } from "../../../src/index.js";
import { ID_POOL, room as anyRules, validSet } from "../../permissions/arbitraries.js";
import { makeLiveblocks, tokenOf } from "../helpers.js";

/** The arbitrary rooms of the permission tests, as the facade accepts them (room:presence:write at most once per list). */
const roomRules = anyRules.map((rules) => {
  const once = (scopes: string[]) => scopes.filter((scope, i) => scope !== "room:presence:write" || scopes.indexOf(scope) === i);
  const map = (accesses: Record<string, string[]>) =>
    Object.fromEntries(Object.keys(accesses).map((id) => [id, once(accesses[id]!)])) as Record<string, string[]>;
  return {
    defaultAccesses: once(rules.defaultAccesses as string[]),
    usersAccesses: map(rules.usersAccesses as never),
    groupsAccesses: map(rules.groupsAccesses as never),
  };
});

describe("Liveblocks.explainAccess", () => {
  it("explainAccess - agrees with checkRoomAccess for an ID token of the same identity, organizations included", async () => {
    await fc.assert(
      fc.asyncProperty(
        roomRules,
        fc.constantFrom("default", "acme"),
        fc.record({
          userId: fc.constantFrom(...ID_POOL.filter((id) => id !== "")),
          groupIds: fc.uniqueArray(fc.constantFrom(...ID_POOL, "nobody"), { maxLength: 4 }),
          organizationId: fc.option(fc.constantFrom("default", "acme"), { nil: undefined }),
        }),
        async (rules, roomOrganization, who) => {
          const { liveblocks } = makeLiveblocks();
          await liveblocks.createRoom("r", { ...rules, organizationId: roomOrganization } as never);
          const why = await liveblocks.explainAccess("r", who);
          const token = tokenOf((await liveblocks.identifyUser(who)).body);
          const access = await liveblocks.checkRoomAccess(token, "r");
          expect(why.allowed).toBe(access.allowed);
          if (access.allowed) expect(access.scopes).toEqual(why.decision.scopes);
          else expect(access.reason).toBe(why.reason);
          expect(why.decision).toBe(resolveAccess(rules, who));
          expect(why).toMatchObject({ roomId: "r", groupsFrom: "identity", groupIds: who.groupIds });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("explainAccess - a room of another organization: denied, the organizations named", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("r", { defaultAccesses: ["*:write"], organizationId: "acme" });
    const why = await liveblocks.explainAccess("r", { userId: "u", organizationId: "globex" });
    expect(why).toMatchObject({ allowed: false, reason: "organization-mismatch", organization: { room: "acme", identity: "globex" } });
    expect(why.decision.canEnter).toBe(true);
  });

  it("explainAccess - a missing room rejects with 404 ROOM_NOT_FOUND, a bad identity with 422 naming the field", async () => {
    const { liveblocks } = makeLiveblocks();
    await expect(liveblocks.explainAccess("nope", { userId: "u" })).rejects.toMatchObject({ status: 404, code: "ROOM_NOT_FOUND" });
    await liveblocks.createRoom("r", { defaultAccesses: [] });
    const error = await liveblocks.explainAccess("r", { userId: "" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LiveblocksError);
    expect(error).toMatchObject({ status: 422, code: "UNPROCESSABLE_ENTITY" });
    expect((error as Error).message).toContain("userId");
    await expect(liveblocks.explainAccess("r", { userId: "u", groupIds: ["a,b"] })).rejects.toMatchObject({ status: 422 });
  });

  it("explainAccess - under groupsFrom store, the stored memberships count and the groups given do not", async () => {
    const { liveblocks } = makeLiveblocks({ groupsFrom: "store", store: new MemoryStore() });
    await liveblocks.createRoom("r", { defaultAccesses: [], groupsAccesses: { contractors: ["room:read"], staff: ["*:write"] } });
    await liveblocks.createGroup({ groupId: "contractors", memberIds: ["carol"] });
    const why = await liveblocks.explainAccess("r", { userId: "carol", groupIds: ["staff"] });
    expect(why).toMatchObject({ allowed: true, groupsFrom: "store", groupIds: ["contractors"] });
    expect(why.summary).toBe('Read-only: group "contractors" grants room:read, and user "carol" has no entry.');
    const token = tokenOf((await liveblocks.identifyUser({ userId: "carol", groupIds: ["staff"] })).body);
    const access = await liveblocks.checkRoomAccess(token, "r");
    expect(access).toMatchObject({ allowed: true, isReadOnly: true });
  });

  it("explainAccess - every resource of the facade's answer is the pure explanation's", async () => {
    const { liveblocks } = makeLiveblocks();
    const room = { defaultAccesses: ["*:write", "storage:read"], usersAccesses: { alice: ["*:read", "comments:write"] } };
    await liveblocks.createRoom("r", room as never);
    const why = await liveblocks.explainAccess("r", { userId: "alice" });
    const pure = explainAccess(room, { userId: "alice" });
    for (const resource of RESOURCES) expect(why.resources[resource]).toEqual(pure.resources[resource]);
    // The user's entry does not set storage: the default's storage:read still decides it.
    expect(JSON.parse(JSON.stringify(why)).resources.storage.decidedBy).toEqual({ layer: "default", scope: "storage:read" });
    expect(why.resources.room.decidedBy).toEqual({ layer: "user", scope: "*:read" });
  });
});

describe("Liveblocks.getRoomAccessList", () => {
  it("getRoomAccessList - each entry's effective access is resolveAccess for that user alone or a member of that group alone", async () => {
    await fc.assert(
      fc.asyncProperty(roomRules, fc.integer({ min: 1, max: 4 }), async (rules, limit) => {
        const { liveblocks } = makeLiveblocks();
        await liveblocks.createRoom("r", rules as never);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 50; pages++) {
          const page = await liveblocks.getRoomAccessList("r", { limit, ...(cursor !== undefined && { startingAfter: cursor }) });
          expect(page.data.length).toBeLessThanOrEqual(limit);
          expect(page.defaultAccess.effective.scopes).toEqual(
            resolveAccess({ defaultAccesses: rules.defaultAccesses }, { userId: "" }).scopes,
          );
          for (const entry of page.data) {
            const alone =
              entry.kind === "user"
                ? resolveAccess({ defaultAccesses: rules.defaultAccesses, usersAccesses: rules.usersAccesses }, { userId: entry.id })
                : resolveAccess(
                    { defaultAccesses: rules.defaultAccesses, groupsAccesses: rules.groupsAccesses },
                    { userId: "", groupIds: [entry.id] },
                  );
            expect(entry.effective).toEqual({
              scopes: [...alone.scopes],
              canEnter: alone.canEnter,
              canWrite: alone.canWrite,
              canComment: alone.canComment,
              isReadOnly: alone.isReadOnly,
            });
            seen.push(`${entry.kind}:${entry.id}`);
          }
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        const expected = [
          ...Object.keys(rules.usersAccesses).map((id) => `user:${id}`),
          ...Object.keys(rules.groupsAccesses).map((id) => `group:${id}`),
        ];
        expect([...seen].sort()).toEqual(expected.sort());
        expect(new Set(seen).size).toBe(seen.length);
      }),
      { numRuns: 60 },
    );
  });

  it("getRoomAccessList - users then groups by id; a room at the limits pages by the default maximum", async () => {
    const { liveblocks } = makeLiveblocks();
    const usersAccesses = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`u${String(i).padStart(3, "0")}`, ["*:read"]]));
    const groupsAccesses = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`g${String(i).padStart(3, "0")}`, ["*:write"]]));
    await liveblocks.createRoom("big", { defaultAccesses: [], usersAccesses, groupsAccesses } as never);
    const first = await liveblocks.getRoomAccessList("big");
    expect(first.data).toHaveLength(100);
    expect(first.data.every((entry) => entry.kind === "user")).toBe(true);
    const second = await liveblocks.getRoomAccessList("big", { startingAfter: first.nextCursor! });
    expect(second.data.map((entry) => entry.id)).toEqual(Object.keys(groupsAccesses));
    expect(second.nextCursor).toBeNull();
    expect(first.defaultAccess).toEqual({
      stored: [],
      effective: { scopes: [], canEnter: false, canWrite: false, canComment: false, isReadOnly: true },
    });
  });

  it("getRoomAccessList - a missing room 404, a bad limit or cursor 422 naming the field", async () => {
    const { liveblocks } = makeLiveblocks();
    await expect(liveblocks.getRoomAccessList("nope")).rejects.toMatchObject({ status: 404, code: "ROOM_NOT_FOUND" });
    await liveblocks.createRoom("r", { defaultAccesses: [] });
    await expect(liveblocks.getRoomAccessList("r", { limit: 0 })).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining("limit"),
    });
    await expect(liveblocks.getRoomAccessList("r", { startingAfter: "bogus" })).rejects.toMatchObject({
      status: 422,
      code: "INVALID_CURSOR",
    });
  });
});

describe("Liveblocks.getRooms accessibleBy", () => {
  it("getRooms - accessibleBy lists the rooms the identity may enter, with the other filters, and iterRooms pages them", async () => {
    const { liveblocks, clock } = makeLiveblocks();
    const create = async (id: string, params: object) => {
      clock.now += 1000;
      await liveblocks.createRoom(id, { defaultAccesses: [], ...params });
    };
    await create("public", { defaultAccesses: ["*:read"] });
    await create("private", {});
    await create("mine", { usersAccesses: { alice: ["*:read", "storage:none"] } });
    await create("team", { groupsAccesses: { eng: ["*:write"] }, metadata: { status: "open" } });
    await create("acme-team", { groupsAccesses: { eng: ["*:write"] }, organizationId: "acme" });
    const page = await liveblocks.getRooms({ accessibleBy: { userId: "alice", groupIds: ["eng"] } });
    expect(page.data.map((room) => room.id)).toEqual(["acme-team", "team", "mine", "public"]);
    const filtered = await liveblocks.getRooms({
      accessibleBy: { userId: "alice", groupIds: ["eng"] },
      organizationId: "default",
      metadata: { status: "open" },
    });
    expect(filtered.data.map((room) => room.id)).toEqual(["team"]);
    const ids: string[] = [];
    for await (const room of liveblocks.iterRooms({ accessibleBy: { userId: "alice" } }, { pageSize: 1 })) ids.push(room.id);
    expect(ids).toEqual(["mine", "public"]);
  });

  it("getRooms - accessibleBy is validated (422 naming the field) and a store without listAccessible answers 501", async () => {
    const { liveblocks } = makeLiveblocks();
    await expect(liveblocks.getRooms({ accessibleBy: { userId: "" } })).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining("accessibleBy.userId"),
    });
    const inner = new MemoryStore();
    const bare = {
      get: inner.get.bind(inner),
      create: inner.create.bind(inner),
      update: inner.update.bind(inner),
      delete: inner.delete.bind(inner),
      list: inner.list.bind(inner),
      revokeTokens: inner.revokeTokens.bind(inner),
      getRevocation: inner.getRevocation.bind(inner),
      subscribe: inner.subscribe.bind(inner),
    };
    const { liveblocks: over } = makeLiveblocks({ store: bare });
    await expect(over.getRooms({ accessibleBy: { userId: "u" } })).rejects.toMatchObject({ status: 501, code: "NOT_IMPLEMENTED" });
  });

  it("getRooms - accessibleBy under groupsFrom store counts the stored memberships", async () => {
    const { liveblocks } = makeLiveblocks({ groupsFrom: "store" });
    await liveblocks.createRoom("team", { defaultAccesses: [], groupsAccesses: { eng: validSetSample() } });
    expect((await liveblocks.getRooms({ accessibleBy: { userId: "alice", groupIds: ["eng"] } })).data).toEqual([]);
    await liveblocks.createGroup({ groupId: "eng", memberIds: ["alice"] });
    expect((await liveblocks.getRooms({ accessibleBy: { userId: "alice" } })).data.map((room) => room.id)).toEqual(["team"]);
  });
});

function validSetSample(): never {
  return fc.sample(validSet, { seed: 1, numRuns: 1 })[0] as never;
}
