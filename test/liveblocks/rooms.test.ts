import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Liveblocks, LiveblocksError, MemoryStore, type RoomStore } from "../../src/index.js";
import { T0, makeLiveblocks } from "./helpers.js";

async function rejection(promise: Promise<unknown>): Promise<LiveblocksError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LiveblocksError);
  return error as LiveblocksError;
}

describe("createRoom", () => {
  it("shape - RoomData with Date fields and the defaults of a new room", async () => {
    const { liveblocks } = makeLiveblocks();
    const room = await liveblocks.createRoom("a32wQXid4A9", { defaultAccesses: [] });
    expect(room).toEqual({
      type: "room",
      id: "a32wQXid4A9",
      createdAt: new Date(T0),
      organizationId: "default",
      defaultAccesses: [],
      usersAccesses: {},
      groupsAccesses: {},
      metadata: {},
    });
    expect(room.createdAt).toBeInstanceOf(Date);
    expect(Object.keys(room)).toEqual([
      "type",
      "id",
      "createdAt",
      "organizationId",
      "defaultAccesses",
      "usersAccesses",
      "groupsAccesses",
      "metadata",
    ]);
  });

  it("conflict - 409 with Liveblocks' message; idempotent returns the existing room", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const error = await rejection(liveblocks.createRoom("r", { defaultAccesses: [] }));
    expect(error.status).toBe(409);
    expect(error.message).toBe('Room with id "r" already exists.');
    expect(String(error)).toBe('LiveblocksError: Room with id "r" already exists. (status 409)');
    const existing = await liveblocks.createRoom("r", { defaultAccesses: [] }, { idempotent: true });
    expect(existing.defaultAccesses).toEqual(["room:write"]);
    expect((await liveblocks.getOrCreateRoom("r", { defaultAccesses: [] })).defaultAccesses).toEqual(["room:write"]);
  });

  it("organizationId - kept; tenantId is its deprecated alias", async () => {
    const { liveblocks } = makeLiveblocks();
    expect((await liveblocks.createRoom("a", { defaultAccesses: [], organizationId: "acme" })).organizationId).toBe("acme");
    expect((await liveblocks.createRoom("b", { defaultAccesses: [], tenantId: "t1" })).organizationId).toBe("t1");
  });

  it("validation - 422 naming the field and the rule, and nothing is stored", async () => {
    const { liveblocks } = makeLiveblocks();
    const manyUsers = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`u${i}`, ["*:read"]]));
    const manyMeta = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    const cases: [string, unknown, string][] = [
      ["", { defaultAccesses: [] }, "Invalid value for field 'roomId': must be a non-empty string"],
      ["x".repeat(129), { defaultAccesses: [] }, "Invalid value for field 'roomId': must be at most 128 characters"],
      ["a*", { defaultAccesses: [] }, "Invalid value for field 'roomId': must not contain '*'"],
      ["ok", {}, "Invalid value for field 'defaultAccesses': is required"],
      [
        "ok",
        { defaultAccesses: ["storage:write"] },
        "Invalid value for field 'defaultAccesses': Permissions must include exactly one of *:read, *:write (or the legacy aliases room:read, room:write), got none",
      ],
      ["ok", { defaultAccesses: "room:write" }, "Invalid value for field 'defaultAccesses': Permission list must be an array"],
      [
        "ok",
        { defaultAccesses: [], usersAccesses: { alice: [] } },
        "Invalid value for field 'usersAccesses.alice': Permissions must include exactly one of *:read, *:write (or the legacy aliases room:read, room:write), got none",
      ],
      [
        "ok",
        { defaultAccesses: [], groupsAccesses: { eng: ["room:admin"] } },
        "Invalid value for field 'groupsAccesses.eng': Unknown permission scope(s): room:admin",
      ],
      [
        "ok",
        { defaultAccesses: [], usersAccesses: manyUsers },
        "Invalid value for field 'usersAccesses': must have at most 100 entries, got 101",
      ],
      [
        "ok",
        { defaultAccesses: [], usersAccesses: { ["x".repeat(41)]: ["*:read"] } },
        `Invalid value for field 'usersAccesses.${"x".repeat(41)}': keys must be 1 to 40 characters, got 41`,
      ],
      ["ok", { defaultAccesses: [], usersAccesses: [] }, "Invalid value for field 'usersAccesses': must be an object"],
      ["ok", { defaultAccesses: [], metadata: manyMeta }, "Invalid value for field 'metadata': must have at most 50 entries, got 51"],
      [
        "ok",
        { defaultAccesses: [], metadata: { k: "v".repeat(257) } },
        "Invalid value for field 'metadata.k': must be at most 256 characters, got 257",
      ],
      ["ok", { defaultAccesses: [], metadata: { k: 5 } }, "Invalid value for field 'metadata.k': must be a string or an array of strings"],
      [
        "ok",
        { defaultAccesses: [], metadata: { "a b": ["x", 1] } },
        `Invalid value for field 'metadata["a b"]': must be a string or an array of strings`,
      ],
      ["ok", { defaultAccesses: [], defaultAcesses: [] }, "Invalid value for field 'defaultAcesses': is not a known field"],
    ];
    for (const [roomId, params, message] of cases) {
      // @ts-expect-error testing a JavaScript caller
      const error = await rejection(liveblocks.createRoom(roomId, params));
      expect([error.status, error.message]).toEqual([422, message]);
    }
    expect((await liveblocks.getRooms()).data).toEqual([]);
  });

  it("limits - configurable", async () => {
    const { liveblocks } = makeLiveblocks({ limits: { accessesEntries: 2 } });
    const error = await rejection(
      liveblocks.createRoom("r", { defaultAccesses: [], usersAccesses: { a: ["*:read"], b: ["*:read"], c: ["*:read"] } }),
    );
    expect(error.message).toBe("Invalid value for field 'usersAccesses': must have at most 2 entries, got 3");
  });

  it("reserved ids - __proto__ as room id and as keys round-trips", async () => {
    const { liveblocks } = makeLiveblocks();
    const params = JSON.parse(
      '{"defaultAccesses":[],"usersAccesses":{"__proto__":["*:read"],"constructor":["*:write"]},"metadata":{"__proto__":"x"}}',
    );
    await liveblocks.createRoom("__proto__", params);
    const room = await liveblocks.getRoom("__proto__");
    expect(Object.keys(room.usersAccesses).sort()).toEqual(["__proto__", "constructor"]);
    expect(JSON.parse(JSON.stringify(room)).usersAccesses).toEqual(params.usersAccesses);
    expect(Object.keys(room.metadata)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    // Shaped like parsed JSON, as the SDK returns it: plain maps, reserved ids as own data.
    expect(Object.getPrototypeOf(room.usersAccesses)).toBe(Object.prototype);
    expect(room.usersAccesses.hasOwnProperty("__proto__")).toBe(true);
    expect(room.usersAccesses.hasOwnProperty("toString")).toBe(false);
    for (const map of [room.usersAccesses, room.groupsAccesses, room.metadata]) {
      expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    }
    const listed = (await liveblocks.getRooms()).data[0]!;
    expect(Object.getPrototypeOf(listed.usersAccesses)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(listed.usersAccesses, "__proto__")?.value).toEqual(["*:read"]);
  });

  it("signal - an aborted signal rejects before the store is touched", async () => {
    const { liveblocks } = makeLiveblocks();
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(liveblocks.createRoom("r", { defaultAccesses: [] }, { signal: controller.signal })).rejects.toThrow("stop");
    await expect(liveblocks.getRoom("r")).rejects.toMatchObject({ status: 404 });
  });
});

describe("getRoom / deleteRoom", () => {
  it("missing - 404 with Liveblocks' message", async () => {
    const { liveblocks } = makeLiveblocks();
    const error = await rejection(liveblocks.getRoom("nope"));
    expect([error.status, error.message]).toEqual([404, 'Room with id "nope" not found.']);
  });

  it("delete - removes the room; deleting again succeeds", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("r", { defaultAccesses: [] });
    await liveblocks.deleteRoom("r");
    await expect(liveblocks.getRoom("r")).rejects.toMatchObject({ status: 404 });
    await expect(liveblocks.deleteRoom("r")).resolves.toBeUndefined();
  });

  it("copies - mutating a result does not change the store", async () => {
    const { liveblocks } = makeLiveblocks();
    const room = await liveblocks.createRoom("r", { defaultAccesses: ["room:write"], usersAccesses: { a: ["*:read"] } });
    room.defaultAccesses.push("storage:none");
    room.usersAccesses.a!.push("comments:write");
    room.usersAccesses.b = ["*:write"];
    const again = await liveblocks.getRoom("r");
    expect(again.defaultAccesses).toEqual(["room:write"]);
    expect(again.usersAccesses).toEqual({ a: ["*:read"] });
  });
});

describe("updateRoom", () => {
  async function seeded() {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("r", {
      defaultAccesses: ["room:read"],
      usersAccesses: { alice: ["room:write"], bob: ["room:read"] },
      groupsAccesses: { eng: ["room:write"] },
      metadata: { color: "blue", tags: ["a", "b"] },
    });
    return liveblocks;
  }

  it("key by key - a value replaces that key, null removes it, absent keys stay", async () => {
    const liveblocks = await seeded();
    const room = await liveblocks.updateRoom("r", {
      usersAccesses: { alice: ["room:read"], bob: null, carol: ["*:write"] },
      metadata: { color: null, size: "L" },
    });
    expect(room.usersAccesses).toEqual({ alice: ["room:read"], carol: ["*:write"] });
    expect(room.groupsAccesses).toEqual({ eng: ["room:write"] });
    expect(room.metadata).toEqual({ tags: ["a", "b"], size: "L" });
    expect(room.defaultAccesses).toEqual(["room:read"]);
  });

  it("defaultAccesses - replaced whole; null resets to []", async () => {
    const liveblocks = await seeded();
    expect((await liveblocks.updateRoom("r", { defaultAccesses: ["*:write", "storage:read"] })).defaultAccesses).toEqual([
      "*:write",
      "storage:read",
    ]);
    expect((await liveblocks.updateRoom("r", { defaultAccesses: null })).defaultAccesses).toEqual([]);
  });

  it("empty - {} changes nothing", async () => {
    const liveblocks = await seeded();
    const before = await liveblocks.getRoom("r");
    expect(await liveblocks.updateRoom("r", {})).toEqual(before);
  });

  it("missing room - 404", async () => {
    const { liveblocks } = makeLiveblocks();
    const error = await rejection(liveblocks.updateRoom("ghost", { metadata: { a: "b" } }));
    expect([error.status, error.message]).toEqual([404, 'Room with id "ghost" not found.']);
  });

  it("limits after the patch - 422 and nothing changes", async () => {
    const { liveblocks } = makeLiveblocks({ limits: { accessesEntries: 3 } });
    await liveblocks.createRoom("r", { defaultAccesses: [], usersAccesses: { a: ["*:read"], b: ["*:read"] } });
    const error = await rejection(liveblocks.updateRoom("r", { usersAccesses: { c: ["*:read"], d: ["*:read"] } }));
    expect([error.status, error.message]).toEqual([422, "Invalid value for field 'usersAccesses': must have at most 3 entries, got 4"]);
    expect(Object.keys((await liveblocks.getRoom("r")).usersAccesses)).toEqual(["a", "b"]);
    // Removing and adding in one patch stays within the limit.
    const room = await liveblocks.updateRoom("r", { usersAccesses: { a: null, c: ["*:read"], d: ["*:read"] } });
    expect(Object.keys(room.usersAccesses).sort()).toEqual(["b", "c", "d"]);
  });

  it("validation - empty permission list for a user is rejected; null is how to remove", async () => {
    const liveblocks = await seeded();
    const error = await rejection(liveblocks.updateRoom("r", { usersAccesses: { alice: [] } }));
    expect(error.status).toBe(422);
    expect(error.message).toMatch(/^Invalid value for field 'usersAccesses.alice': Permissions must include exactly one of/);
    expect((await liveblocks.getRoom("r")).usersAccesses.alice).toEqual(["room:write"]);
  });

  it("concurrency - 100 concurrent updates adding distinct users lose none", async () => {
    const { liveblocks } = makeLiveblocks({ limits: { accessesEntries: 200 } });
    await liveblocks.createRoom("r", { defaultAccesses: [] });
    await Promise.all(Array.from({ length: 100 }, (_, i) => liveblocks.updateRoom("r", { usersAccesses: { [`user-${i}`]: ["*:read"] } })));
    expect(Object.keys((await liveblocks.getRoom("r")).usersAccesses)).toHaveLength(100);
  });

  it("property - bad patches never change the stored room", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("r", { defaultAccesses: ["*:read"], usersAccesses: { a: ["*:write"] } });
    const before = JSON.stringify(await liveblocks.getRoom("r"));
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            defaultAccesses: fc.anything(),
            usersAccesses: fc.anything(),
            groupsAccesses: fc.anything(),
            metadata: fc.anything(),
          },
          { requiredKeys: [] },
        ),
        async (params) => {
          try {
            // @ts-expect-error arbitrary input
            await liveblocks.updateRoom("r", params);
          } catch (error) {
            expect(error).toBeInstanceOf(LiveblocksError);
            expect((error as LiveblocksError).status).toBe(422);
            expect(JSON.stringify(await liveblocks.getRoom("r"))).toBe(before);
            return;
          }
          // Valid by chance: put the room back.
          await liveblocks.deleteRoom("r");
          await liveblocks.createRoom("r", { defaultAccesses: ["*:read"], usersAccesses: { a: ["*:write"] } });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("upsertRoom", () => {
  it("creates from create + update when missing, updates when present", async () => {
    const { liveblocks } = makeLiveblocks();
    const created = await liveblocks.upsertRoom("r", {
      update: { usersAccesses: { alice: ["*:write"] } },
      create: { defaultAccesses: ["*:read"], metadata: { a: "1" } },
    });
    expect(created).toMatchObject({ defaultAccesses: ["*:read"], usersAccesses: { alice: ["*:write"] }, metadata: { a: "1" } });
    const updated = await liveblocks.upsertRoom("r", {
      update: { usersAccesses: { bob: ["*:read"] } },
      create: { defaultAccesses: [] },
    });
    expect(updated.defaultAccesses).toEqual(["*:read"]);
    expect(Object.keys(updated.usersAccesses)).toEqual(["alice", "bob"]);
  });

  it("without create - a new room starts private", async () => {
    const { liveblocks } = makeLiveblocks();
    const room = await liveblocks.upsertRoom("r", { update: { metadata: { a: "b" } } });
    expect(room.defaultAccesses).toEqual([]);
  });

  it("update must name a field", async () => {
    const { liveblocks } = makeLiveblocks();
    const error = await rejection(liveblocks.upsertRoom("r", { update: {} }));
    expect([error.status, error.message]).toEqual([422, "Invalid value for field 'update': must specify at least one field"]);
  });

  it("concurrent upserts - one creates, the others update, nothing lost", async () => {
    const { liveblocks } = makeLiveblocks();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        liveblocks.upsertRoom("r", { update: { usersAccesses: { [`u${i}`]: ["*:read"] } }, create: { defaultAccesses: [] } }),
      ),
    );
    expect(Object.keys((await liveblocks.getRoom("r")).usersAccesses)).toHaveLength(20);
  });
});

describe("getRooms / iterRooms", () => {
  async function many() {
    const { liveblocks, clock } = makeLiveblocks();
    for (let i = 0; i < 25; i++) {
      clock.now += 1000;
      await liveblocks.createRoom(`org:room-${String(i).padStart(2, "0")}`, {
        defaultAccesses: [],
        usersAccesses: i % 2 === 0 ? { alice: ["*:read"] } : {},
        groupsAccesses: i % 5 === 0 ? { eng: ["*:read"] } : {},
        metadata: { parity: i % 2 === 0 ? "even" : "odd", tags: i % 3 === 0 ? ["three"] : [] },
        organizationId: i < 10 ? "acme" : "default",
      });
    }
    await liveblocks.createRoom("other", { defaultAccesses: [], metadata: { parity: "even" } });
    return liveblocks;
  }

  it("order and paging - newest first, default 20, cursor to the end", async () => {
    const liveblocks = await many();
    const first = await liveblocks.getRooms();
    expect(first.data).toHaveLength(20);
    expect(first.data[0]!.id).toBe("other");
    expect(first.data[1]!.id).toBe("org:room-24");
    const second = await liveblocks.getRooms({ startingAfter: first.nextCursor! });
    expect(second.data).toHaveLength(6);
    expect(second.nextCursor).toBeNull();
    expect(Object.keys(first)).toEqual(["nextCursor", "data"]);
  });

  it("filters - userId OR groupIds, organizationId, metadata, query", async () => {
    const liveblocks = await many();
    const ids = async (params: Parameters<typeof liveblocks.getRooms>[0]) =>
      (await liveblocks.getRooms({ limit: 100, ...params })).data.map((r) => r.id.replace("org:room-", ""));
    expect(await ids({ userId: "alice" })).toHaveLength(13);
    expect(await ids({ groupIds: ["eng"] })).toEqual(["20", "15", "10", "05", "00"]);
    expect(await ids({ userId: "alice", groupIds: ["eng"] })).toHaveLength(15);
    expect(await ids({ organizationId: "acme" })).toHaveLength(10);
    expect(await ids({ metadata: { parity: "odd" } })).toHaveLength(12);
    expect(await ids({ metadata: { tags: "three" } })).toHaveLength(9);
    expect(await ids({ query: 'metadata["parity"]:"even" AND roomId^"org:"' })).toHaveLength(13);
    expect(await ids({ query: { metadata: { parity: "even" }, roomId: { startsWith: "oth" } } })).toEqual(["other"]);
    expect(await ids({ query: 'roomId:"org:room-07"' })).toEqual(["07"]);
    expect(await ids({ query: 'roomId:"a" roomId:"b"' })).toEqual([]);
    expect(await ids({ metadata: { parity: "odd" }, query: 'metadata["parity"]:"even"' })).toEqual([]);
    // An array value matches each of its strings, so one key may be asked twice.
    await liveblocks.createRoom("multi", { defaultAccesses: [], metadata: { tags: ["three", "four"] } });
    expect(await ids({ metadata: { tags: "four" }, query: 'metadata["tags"]:"three"' })).toEqual(["multi"]);
  });

  it("bad query - 422 that says where", async () => {
    const liveblocks = await many();
    const error = await rejection(liveblocks.getRooms({ query: 'roomId="x"' }));
    expect(error.status).toBe(422);
    expect(error.message).toMatch(/^Invalid value for field 'query': Invalid query at position 6/);
  });

  it("bad params - limit, cursor", async () => {
    const liveblocks = await many();
    for (const [params, message] of [
      [{ limit: 0 }, "Invalid value for field 'limit': must be an integer between 1 and 100"],
      [{ limit: 101 }, "Invalid value for field 'limit': must be an integer between 1 and 100"],
      [{ limit: 1.5 }, "Invalid value for field 'limit': must be an integer between 1 and 100"],
      [{ startingAfter: "garbage" }, "Invalid value for field 'startingAfter': is not a cursor this server issued"],
    ] as const) {
      const error = await rejection(liveblocks.getRooms(params));
      expect([error.status, error.message]).toEqual([422, message]);
    }
  });

  it("iterRooms - visits every matching room once across pages", async () => {
    const liveblocks = await many();
    const seen: string[] = [];
    for await (const room of liveblocks.iterRooms({ userId: "alice" }, { pageSize: 4 })) seen.push(room.id);
    expect(seen).toHaveLength(13);
    expect(new Set(seen).size).toBe(13);
  });

  it("iterRooms - a bad pageSize is a 422 naming pageSize", async () => {
    const liveblocks = await many();
    const iterate = async () => {
      for await (const _ of liveblocks.iterRooms({}, { pageSize: 0 })) void _;
    };
    await expect(iterate()).rejects.toMatchObject({
      status: 422,
      message: "Invalid value for field 'pageSize': must be an integer between 1 and 100",
    });
  });

  it("store errors - pass through unchanged", async () => {
    const store = new MemoryStore();
    const broken: RoomStore = Object.assign(Object.create(store), {
      list: async () => {
        throw new Error("disk on fire");
      },
    });
    const { liveblocks } = makeLiveblocks({ store: broken });
    await expect(liveblocks.getRooms()).rejects.toThrow("disk on fire");
  });
});

describe("updateRoomId", () => {
  it("updateRoomId - moves the room, keeps its permissions and creation time", async () => {
    const { liveblocks } = makeLiveblocks();
    const before = await liveblocks.createRoom("draft", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
    const after = await liveblocks.updateRoomId({ currentRoomId: "draft", newRoomId: "doc" });
    expect(after).toEqual({ ...before, id: "doc" });
    expect(await liveblocks.getRoom("doc")).toEqual(after);
    await expect(liveblocks.getRoom("draft")).rejects.toMatchObject({ status: 404 });
  });

  it("updateRoomId - 404 for a missing room, 409 for a taken id, 422 for a bad id", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("a", { defaultAccesses: [] });
    await liveblocks.createRoom("b", { defaultAccesses: [] });
    await expect(liveblocks.updateRoomId({ currentRoomId: "missing", newRoomId: "c" })).rejects.toMatchObject({
      status: 404,
      message: 'Room with id "missing" not found.',
    });
    await expect(liveblocks.updateRoomId({ currentRoomId: "a", newRoomId: "b" })).rejects.toMatchObject({
      status: 409,
      message: 'Room with id "b" already exists.',
    });
    await expect(liveblocks.updateRoomId({ currentRoomId: "a", newRoomId: "x*" })).rejects.toMatchObject({
      status: 422,
      message: "Invalid value for field 'newRoomId': must not contain '*'",
    });
    expect((await liveblocks.getRoom("a")).id).toBe("a");
  });

  it("updateRoomId - a store without rename answers 501", async () => {
    const store = new MemoryStore();
    const { liveblocks } = makeLiveblocks({ store: Object.assign(Object.create(store), { rename: undefined }) });
    await expect(liveblocks.updateRoomId({ currentRoomId: "a", newRoomId: "b" })).rejects.toMatchObject({ status: 501 });
  });
});

describe("limits and options - one value per rule, read where it is used", () => {
  it("session.allow - a room id the limits allow is a valid pattern (regression: 128 was hard-coded)", async () => {
    const { liveblocks } = makeLiveblocks({ limits: { roomIdLength: 200 } });
    const id = "r".repeat(150);
    await liveblocks.createRoom(id, { defaultAccesses: [] });
    const session = liveblocks.prepareSession("alice");
    expect(() => session.allow(id, session.FULL_ACCESS)).not.toThrow();
    expect(() => session.allow(`${"p".repeat(150)}*`, session.READ_ACCESS)).not.toThrow();
    expect(() => liveblocks.prepareSession("bob").allow("r".repeat(201), ["*:read"])).toThrow("Invalid room name or pattern");
    expect(() => makeLiveblocks().liveblocks.prepareSession("bob").allow(id, ["*:read"])).toThrow("Invalid room name or pattern");
  });

  it("baseUrl - accepted as in @liveblocks/node; not a URL is refused", () => {
    expect(makeLiveblocks({ baseUrl: "http://127.0.0.1:8787" }).liveblocks).toBeInstanceOf(Liveblocks);
    expect(() => makeLiveblocks({ baseUrl: "not a url" })).toThrow("Invalid value for field 'baseUrl'");
  });
});

describe("getTokenRevocation", () => {
  it("getTokenRevocation - null until revokeTokens, then the cutoff in epoch ms", async () => {
    const { liveblocks } = makeLiveblocks();
    expect(await liveblocks.getTokenRevocation({ userId: "alice" })).toEqual({ issuedBefore: null });
    await liveblocks.revokeTokens({ userId: "alice", issuedBefore: 1_700_000_000_000 });
    expect(await liveblocks.getTokenRevocation({ userId: "alice" })).toEqual({ issuedBefore: 1_700_000_000_000 });
    expect(await liveblocks.getTokenRevocation({ userId: "bob" })).toEqual({ issuedBefore: null });
  });

  it("getTokenRevocation - an empty userId is a 422 naming it, and the store is not asked", async () => {
    const { liveblocks } = makeLiveblocks();
    await expect(liveblocks.getTokenRevocation({ userId: "" })).rejects.toMatchObject({
      code: "UNPROCESSABLE_ENTITY",
      status: 422,
      message: "Invalid value for field 'userId': must be a non-empty string",
    });
  });
});
