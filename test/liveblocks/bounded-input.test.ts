import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/index.js";
import { makeLiveblocks } from "./helpers.js";

/** An array whose element reads are counted: proves a check never walked it. */
function counted<T>(items: T[]): { array: T[]; reads: () => number } {
  let reads = 0;
  const array = new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { array, reads: () => reads };
}

/** No lone surrogate: every high half followed by a low half, every low half preceded by a high one. */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

const invalid = (field: string, rule: string) => ({
  status: 422,
  message: `Invalid value for field '${field}': ${rule}`,
});

describe("array limits", () => {
  it("defaults - stated in DEFAULT_LIMITS", () => {
    expect(DEFAULT_LIMITS.metadataArrayValues).toBe(50);
    expect(DEFAULT_LIMITS.permissionScopes).toBe(7);
  });

  // Regression: a 1,000,000-string metadata array was
  // walked, copied and stored (over a second, 126 MB).
  it("createRoom - a metadata array over the limit is a 422 before any item is read", async () => {
    const { liveblocks } = makeLiveblocks();
    const { array, reads } = counted(new Array<string>(1_000_000).fill("x"));
    await expect(liveblocks.createRoom("r", { defaultAccesses: [], metadata: { tags: array } })).rejects.toMatchObject(
      invalid("metadata.tags", "must have at most 50 strings, got 1000000"),
    );
    expect(reads()).toBe(0);
    await expect(liveblocks.createRoom("r", { defaultAccesses: [], metadata: { tags: new Array(50).fill("x") } })).resolves.toMatchObject({
      metadata: { tags: new Array(50).fill("x") },
    });
    await expect(liveblocks.updateRoom("r", { metadata: { tags: new Array(51).fill("x") } })).rejects.toMatchObject(
      invalid("metadata.tags", "must have at most 50 strings, got 51"),
    );
  });

  // Regression: 1,000,001 scopes padded with duplicate
  // room:presence:write were accepted and slowed every entry check 60×.
  it("createRoom - a permission list over the limit is a 422 before any scope is read", async () => {
    const { liveblocks } = makeLiveblocks();
    const { array, reads } = counted(["room:read", ...new Array<string>(1_000_000).fill("room:presence:write")]);
    await expect(liveblocks.createRoom("r", { defaultAccesses: array as never })).rejects.toMatchObject(
      invalid("defaultAccesses", "must have at most 7 scopes, got 1000001"),
    );
    expect(reads()).toBe(0);
    const eight = ["room:read", ...new Array(7).fill("room:presence:write")];
    await expect(liveblocks.createRoom("r", { defaultAccesses: [], usersAccesses: { alice: eight } })).rejects.toMatchObject(
      invalid("usersAccesses.alice", "must have at most 7 scopes, got 8"),
    );
    await expect(liveblocks.updateRoom("r", { groupsAccesses: { eng: eight } })).rejects.toMatchObject({ status: 422 });
  });

  it("createRoom - room:presence:write twice is a 422 naming the field; the richest valid set passes", async () => {
    const { liveblocks } = makeLiveblocks();
    await expect(
      liveblocks.createRoom("r", { defaultAccesses: ["room:read", "room:presence:write", "room:presence:write"] }),
    ).rejects.toMatchObject(invalid("defaultAccesses", "must include room:presence:write at most once"));
    const richest = [
      "*:read",
      "room:presence:write",
      "storage:write",
      "comments:write",
      "comments:public:read",
      "comments:private:none",
      "feeds:read",
    ] as const;
    await expect(liveblocks.createRoom("r", { defaultAccesses: [...richest] })).resolves.toMatchObject({
      defaultAccesses: [...richest],
    });
  });

  it("limits - both limits are configurable", async () => {
    const { liveblocks } = makeLiveblocks({ limits: { metadataArrayValues: 2, permissionScopes: 1 } });
    await expect(liveblocks.createRoom("r", { defaultAccesses: [], metadata: { t: ["a", "b", "c"] } })).rejects.toMatchObject(
      invalid("metadata.t", "must have at most 2 strings, got 3"),
    );
    await expect(liveblocks.createRoom("r", { defaultAccesses: ["room:read", "room:presence:write"] })).rejects.toMatchObject(
      invalid("defaultAccesses", "must have at most 1 scopes, got 2"),
    );
  });
});

describe("storable strings", () => {
  const NOT_STORABLE = "must not contain NUL characters or unpaired surrogates";
  const bad = ["a\u0000b", "\uD800", "x\uDFFFy", "\uDC00\uD800"];

  it("rooms - ids, accesses keys, metadata keys and values, organizationId: NUL or a lone surrogate is a 422 naming the field", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("ok", { defaultAccesses: [] });
    for (const s of bad) {
      await expect(liveblocks.createRoom(s, { defaultAccesses: [] })).rejects.toMatchObject(invalid("roomId", NOT_STORABLE));
      await expect(liveblocks.getRoom(s)).rejects.toMatchObject(invalid("roomId", NOT_STORABLE));
      await expect(liveblocks.updateRoomId({ currentRoomId: "ok", newRoomId: s })).rejects.toMatchObject(
        invalid("newRoomId", NOT_STORABLE),
      );
      await expect(liveblocks.createRoom("r", { defaultAccesses: [], organizationId: s })).rejects.toMatchObject(
        invalid("organizationId", NOT_STORABLE),
      );
      await expect(liveblocks.updateRoom("ok", { usersAccesses: { [s]: ["room:write"] } })).rejects.toMatchObject({
        status: 422,
        message: expect.stringContaining(`keys ${NOT_STORABLE}`),
      });
      await expect(liveblocks.updateRoom("ok", { groupsAccesses: { [s]: ["room:write"] } })).rejects.toMatchObject({ status: 422 });
      await expect(liveblocks.updateRoom("ok", { metadata: { [s]: "v" } })).rejects.toMatchObject({ status: 422 });
      await expect(liveblocks.updateRoom("ok", { metadata: { k: s } })).rejects.toMatchObject(invalid("metadata.k", NOT_STORABLE));
      await expect(liveblocks.updateRoom("ok", { metadata: { k: ["fine", s] } })).rejects.toMatchObject(
        invalid("metadata.k", NOT_STORABLE),
      );
    }
    expect((await liveblocks.getRooms()).data.map((room) => room.id)).toEqual(["ok"]);
  });

  it("users and filters - userId, groupIds, organizationId and query values: NUL or a lone surrogate is a 422", async () => {
    const { liveblocks } = makeLiveblocks();
    for (const s of bad) {
      expect(await liveblocks.identifyUser(s)).toMatchObject({ status: 422, body: `Invalid value for field 'userId': ${NOT_STORABLE}` });
      expect(await liveblocks.identifyUser({ userId: "a", groupIds: [s] })).toMatchObject({
        status: 422,
        body: `Invalid value for field 'groupIds[0]': ${NOT_STORABLE}`,
      });
      expect(await liveblocks.identifyUser({ userId: "a", organizationId: s })).toMatchObject({ status: 422 });
      await expect(liveblocks.revokeTokens({ userId: s })).rejects.toMatchObject(invalid("userId", NOT_STORABLE));
      await expect(liveblocks.getRooms({ userId: s })).rejects.toMatchObject(invalid("userId", NOT_STORABLE));
      await expect(liveblocks.getRooms({ groupIds: ["g", s] })).rejects.toMatchObject(invalid("groupIds[1]", NOT_STORABLE));
      await expect(liveblocks.getRooms({ organizationId: s })).rejects.toMatchObject(invalid("organizationId", NOT_STORABLE));
      await expect(liveblocks.getRooms({ metadata: { k: s } })).rejects.toMatchObject(invalid("metadata.k", NOT_STORABLE));
      await expect(liveblocks.getRooms({ query: `metadata["k"]:"${s}"` })).rejects.toMatchObject(invalid("query", NOT_STORABLE));
      await expect(liveblocks.getRooms({ query: { roomId: { startsWith: s } } })).rejects.toMatchObject({ status: 422 });
    }
  });

  it("createRoom - property: a room id is accepted exactly when it is 1–128 well-formed characters without NUL or *", async () => {
    const { liveblocks } = makeLiveblocks();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", minLength: 1, maxLength: 20 }), async (raw) => {
        const id = `${n++}-${raw}`;
        const storable = id.length <= 128 && !id.includes("\u0000") && !id.includes("*") && wellFormed(id);
        const outcome = await liveblocks.createRoom(id, { defaultAccesses: [] }).then(
          () => "created",
          (error: { status?: number }) => error.status,
        );
        expect(outcome).toBe(storable ? "created" : 422);
      }),
      { numRuns: 300 },
    );
  });
});
