import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { RoomPermission } from "../../../src/permissions/scopes.js";
import { MemoryStore } from "../../../src/stores/memory/store.js";
import { applyRoomPatch } from "../../../src/rooms/patch.js";
import type { RoomData, RoomFilter, RoomPatch } from "../../../src/rooms/types.js";
import { at, collectRooms, makeRoom, testRoomStore } from "../../../src/testing/index.js";

testRoomStore({ name: "MemoryStore", create: () => new MemoryStore() });

const ids = async (store: MemoryStore, filter: RoomFilter, limit = 100) =>
  (await collectRooms(store, filter, limit)).map((room) => room.id);

describe("MemoryStore indexes", () => {
  it("update - removing a user drops the room from that user's listing only", async () => {
    const store = new MemoryStore();
    await store.create(makeRoom("a", { createdAt: at(1), usersAccesses: { alice: ["*:read"], bob: ["*:read"] } }));
    await store.create(makeRoom("b", { createdAt: at(2), usersAccesses: { alice: ["*:read"] } }));
    await store.update("a", { usersAccesses: { alice: null } });
    expect(await ids(store, { userId: "alice" })).toEqual(["b"]);
    expect(await ids(store, { userId: "bob" })).toEqual(["a"]);
    await store.update("a", { usersAccesses: { alice: ["*:write"] } });
    expect(await ids(store, { userId: "alice" })).toEqual(["b", "a"]);
  });

  it("update - replacing a user's scopes keeps the room listed once", async () => {
    const store = new MemoryStore();
    await store.create(makeRoom("a", { usersAccesses: { alice: ["*:read"] }, groupsAccesses: { eng: ["*:read"] } }));
    await store.update("a", { usersAccesses: { alice: ["*:write"] }, groupsAccesses: { eng: ["*:write"] } });
    expect(await ids(store, { userId: "alice", groupIds: ["eng"] })).toEqual(["a"]);
  });

  it("update - changing metadata moves the room between value indexes", async () => {
    const store = new MemoryStore();
    await store.create(makeRoom("a", { metadata: { status: "open", tags: ["x", "y", "x"] } }));
    await store.update("a", { metadata: { status: "closed", tags: ["y", "z"] } });
    expect(await ids(store, { metadata: [["status", "open"]] })).toEqual([]);
    expect(await ids(store, { metadata: [["status", "closed"]] })).toEqual(["a"]);
    expect(await ids(store, { metadata: [["tags", "x"]] })).toEqual([]);
    expect(await ids(store, { metadata: [["tags", "y"]] })).toEqual(["a"]);
    expect(await ids(store, { metadata: [["tags", "z"]] })).toEqual(["a"]);
    // A string that equals a former array element, and back.
    await store.update("a", { metadata: { tags: "y" } });
    expect(await ids(store, { metadata: [["tags", "y"]] })).toEqual(["a"]);
    expect(await ids(store, { metadata: [["tags", "z"]] })).toEqual([]);
    await store.update("a", { metadata: { tags: null } });
    expect(await ids(store, { metadata: [["tags", "y"]] })).toEqual([]);
  });

  it("delete - removes the room from every index", async () => {
    const store = new MemoryStore();
    const room = makeRoom("a", {
      organizationId: "acme",
      usersAccesses: { alice: ["*:read"] },
      groupsAccesses: { eng: ["*:read"] },
      metadata: { status: "open", tags: ["x"] },
    });
    await store.create(room);
    await store.create(makeRoom("b", { organizationId: "acme" }));
    await store.delete("a");
    for (const filter of [
      { userId: "alice" },
      { groupIds: ["eng"] },
      { metadata: [["status", "open"]] as [string, string][] },
      { metadata: [["tags", "x"]] as [string, string][] },
    ]) {
      expect(await ids(store, filter)).toEqual([]);
    }
    expect(await ids(store, { organizationId: "acme" })).toEqual(["b"]);
    await store.create(room);
    expect(await ids(store, { userId: "alice" })).toEqual(["a"]);
  });

  it("create - rooms created out of time order are listed in time order", async () => {
    const store = new MemoryStore();
    for (const [id, second] of [
      ["c", 3],
      ["a", 1],
      ["d", 4],
      ["b", 2],
      ["e", 0],
    ] as const) {
      await store.create(makeRoom(id, { createdAt: at(second), usersAccesses: { alice: ["*:read"] } }));
    }
    expect(await ids(store, { userId: "alice" }, 2)).toEqual(["d", "c", "b", "a", "e"]);
  });

  it("create - rejects a room whose createdAt is not a valid date", async () => {
    const store = new MemoryStore();
    await expect(store.create(makeRoom("a", { createdAt: new Date(Number.NaN) }))).rejects.toThrow(TypeError);
    expect(await store.get("a")).toBeNull();
  });

  it("subscribe - a throwing listener fails neither the write nor other listeners", async () => {
    const onListenerError = vi.fn();
    const store = new MemoryStore({ onListenerError });
    const error = new Error("listener bug");
    const other = vi.fn();
    store.subscribe(() => {
      throw error;
    });
    store.subscribe(other);
    expect((await store.create(makeRoom("a"))).created).toBe(true);
    expect(other).toHaveBeenCalledTimes(1);
    expect(onListenerError).toHaveBeenCalledWith(error, expect.objectContaining({ type: "created", roomId: "a" }));
  });

  it("subscribe - events are delivered before the write resolves", async () => {
    const store = new MemoryStore();
    const events: string[] = [];
    store.subscribe((event) => events.push(event.type));
    await store.create(makeRoom("a"));
    expect(events).toEqual(["created"]);
  });

  it("list - agrees with a linear scan through random writes and pages", async () => {
    const userId = fc.constantFrom("alice", "bob", "carol", "__proto__");
    const groupId = fc.constantFrom("eng", "ops", "constructor");
    const roomId = fc.constantFrom("r1", "r2", "r3", "r4", "r5", "r6", "org:1", "org:2", "toString");
    const metaValue = fc.oneof(fc.constantFrom("x", "y", "z"), fc.array(fc.constantFrom("x", "y", "z"), { maxLength: 3 }));
    const keys = <K extends string, V>(key: fc.Arbitrary<K>, value: fc.Arbitrary<V>) =>
      fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 3 }).map((e) => Object.fromEntries(e));
    const scopes = fc.constant<RoomPermission>(["*:read"]);
    const command = fc.oneof(
      fc.record({
        kind: fc.constant("create" as const),
        id: roomId,
        second: fc.integer({ min: 0, max: 4 }),
        organizationId: fc.constantFrom("default", "acme"),
        users: keys(userId, scopes),
        groups: keys(groupId, scopes),
        metadata: keys(fc.constantFrom("status", "tags"), metaValue),
      }),
      fc.record({
        kind: fc.constant("update" as const),
        id: roomId,
        users: keys(userId, fc.option(scopes, { nil: null })),
        groups: keys(groupId, fc.option(scopes, { nil: null })),
        metadata: keys(fc.constantFrom("status", "tags"), fc.option(metaValue, { nil: null })),
      }),
      fc.record({ kind: fc.constant("delete" as const), id: roomId }),
    );
    const filter = fc.record(
      {
        userId,
        groupIds: fc.array(groupId, { maxLength: 2 }),
        organizationId: fc.constantFrom("default", "acme"),
        roomId,
        roomIdPrefix: fc.constantFrom("r", "org:", "t", ""),
        metadata: fc.array(fc.tuple(fc.constantFrom("status", "tags"), fc.constantFrom("x", "y")), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    );

    const matches = (room: RoomData, f: RoomFilter): boolean => {
      if (f.roomId !== undefined && room.id !== f.roomId) return false;
      if (f.roomIdPrefix !== undefined && !room.id.startsWith(f.roomIdPrefix)) return false;
      if (f.organizationId !== undefined && room.organizationId !== f.organizationId) return false;
      const groups = f.groupIds ?? [];
      if (f.userId !== undefined || groups.length > 0) {
        const byUser = f.userId !== undefined && Object.keys(room.usersAccesses).includes(f.userId);
        const byGroup = groups.some((g) => Object.keys(room.groupsAccesses).includes(g));
        if (!byUser && !byGroup) return false;
      }
      return (f.metadata ?? []).every(([k, v]) => {
        if (!Object.keys(room.metadata).includes(k)) return false;
        const value = room.metadata[k];
        return value === v || (Array.isArray(value) && value.includes(v));
      });
    };

    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { maxLength: 40 }),
        fc.array(fc.tuple(filter, fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 5 }),
        async (commands, queries) => {
          const store = new MemoryStore();
          const model = new Map<string, RoomData>();
          for (const c of commands) {
            if (c.kind === "create") {
              const room = makeRoom(c.id, {
                createdAt: at(c.second),
                organizationId: c.organizationId,
                usersAccesses: c.users,
                groupsAccesses: c.groups,
                metadata: c.metadata,
              });
              await store.create(room);
              if (!model.has(c.id)) model.set(c.id, room);
            } else if (c.kind === "update") {
              const patch: RoomPatch = { usersAccesses: c.users, groupsAccesses: c.groups, metadata: c.metadata };
              await store.update(c.id, patch);
              const current = model.get(c.id);
              if (current) model.set(c.id, applyRoomPatch(current, patch));
            } else {
              await store.delete(c.id);
              model.delete(c.id);
            }
          }
          for (const [f, limit] of queries) {
            const expected = [...model.values()]
              .filter((room) => matches(room, f))
              .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
              .map((room) => room.id);
            expect(await ids(store, f, limit)).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("MemoryStore limits", () => {
  it("list - rejects a limit below 1 instead of paging forever", async () => {
    const store = new MemoryStore();
    await store.create(makeRoom("a"));
    await expect(store.list({ filter: {}, limit: 0 })).rejects.toThrow(RangeError);
  });
});
