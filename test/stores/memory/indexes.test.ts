/**
 * MemoryStore's index structures against naive models: the chunked sorted
 * lists on their own, then the whole store (with tiny chunks, so every split
 * and merge path runs) through random writes, renames and paged listings.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Liveblocks } from "../../../src/liveblocks/index.js";
import type { RoomPermission } from "../../../src/permissions/scopes.js";
import { MemoryStore } from "../../../src/stores/memory/store.js";
import { compareSortKeys, type SortKey } from "../../../src/rooms/order.js";
import { matchesFilter } from "../../rooms/filter-oracle.js";
import { applyRoomPatch } from "../../../src/rooms/patch.js";
import { SortedChunks } from "../../../src/stores/memory/sorted-chunks.js";
import type { RoomData, RoomFilter, RoomPatch } from "../../../src/rooms/types.js";
import { at, makeRoom } from "../../../src/testing/index.js";

const SECRET = "sk_test_0123456789abcdef0123456789abcdef";

describe("SortedChunks", () => {
  it("insert (of absent values), includes and walkUp agree with a sorted array", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 120 }),
        fc.array(fc.integer({ min: -1, max: 61 }), { maxLength: 5 }),
        (chunk, inserts, probes) => {
          const list = new SortedChunks<number>((a, b) => a - b, chunk);
          const model: number[] = [];
          for (const value of inserts) {
            expect(list.includes(value)).toBe(model.includes(value));
            if (model.includes(value)) continue;
            list.insert(value);
            model.push(value);
            model.sort((a, b) => a - b);
            expect(list.size).toBe(model.length);
          }
          for (const from of probes) {
            expect(list.includes(from)).toBe(model.includes(from));
            const walk = list.walkUp(from);
            const out: number[] = [];
            for (let x = walk(); x !== undefined; x = walk()) out.push(x);
            expect(out).toEqual(model.filter((v) => v >= from));
          }
        },
      ),
    );
  });
});

describe("MemoryStore indexes against a scan model", () => {
  const userId = fc.constantFrom("alice", "bob", "__proto__");
  const groupId = fc.constantFrom("eng", "ops");
  const roomId = fc.constantFrom("a", "a1", "a12", "a2", "ab", "b", "b1", "\uffff", "😀", "\ud800\udc00");
  const scopes = fc.constant<RoomPermission>(["*:read"]);
  const keys = <K extends string, V>(key: fc.Arbitrary<K>, value: fc.Arbitrary<V>) =>
    fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 2 }).map((e) => Object.fromEntries(e));
  const metaValue = fc.oneof(fc.constantFrom("x", "y"), fc.array(fc.constantFrom("x", "y"), { maxLength: 2 }));
  const command = fc.oneof(
    fc.record({
      kind: fc.constant("create" as const),
      id: roomId,
      // Many rooms per second, and the limits of Date, where rooms share ranks.
      second: fc.constantFrom(0, 1, 2, 3, 8.64e12, -8.64e12),
      users: keys(userId, scopes),
      groups: keys(groupId, scopes),
      metadata: keys(fc.constantFrom("status", "tags"), metaValue),
    }),
    fc.record({
      kind: fc.constant("update" as const),
      id: roomId,
      users: keys(userId, fc.option(scopes, { nil: null })),
      metadata: keys(fc.constantFrom("status", "tags"), fc.option(metaValue, { nil: null })),
    }),
    fc.record({ kind: fc.constant("rename" as const), id: roomId, to: roomId }),
    fc.record({ kind: fc.constant("delete" as const), id: roomId }),
  );
  const filter = fc.record(
    {
      userId,
      groupIds: fc.array(groupId, { maxLength: 2 }),
      roomIdPrefix: fc.constantFrom("", "a", "a1", "b", "\ud800", "\uffff", "z"),
      metadata: fc.array(fc.tuple(fc.constantFrom("status", "tags"), fc.constantFrom("x", "y")), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  );
  const matches = (room: RoomData, f: RoomFilter): boolean => {
    if (f.roomIdPrefix !== undefined && room.id.slice(0, f.roomIdPrefix.length) !== f.roomIdPrefix) return false;
    const groups = f.groupIds ?? [];
    if (f.userId !== undefined || groups.length > 0) {
      const byUser = f.userId !== undefined && Object.keys(room.usersAccesses).includes(f.userId);
      if (!byUser && !groups.some((g) => Object.keys(room.groupsAccesses).includes(g))) return false;
    }
    return (f.metadata ?? []).every(([k, v]) => {
      const value = Object.keys(room.metadata).includes(k) ? room.metadata[k] : undefined;
      return value === v || (Array.isArray(value) && value.includes(v));
    });
  };
  const key = (room: RoomData): SortKey => ({ ms: room.createdAt.getTime(), id: room.id });
  /** Every id `filter` lists, through all its pages of `limit`. */
  const listIds = async (store: MemoryStore, filter: RoomFilter, limit: number): Promise<string[]> => {
    const got: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ filter, limit, ...(cursor !== undefined && { cursor }) });
      got.push(...page.rooms.map((room) => room.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return got;
  };

  it("list - every page through cursors equals the scan's, prefixes and intersections included", async () => {
    await fc.assert(
      fc.asyncProperty(
        // At least 10 commands, so index lists outgrow a chunk and deletes leave ranks to forget.
        fc.array(command, { minLength: 10, maxLength: 50 }),
        fc.array(fc.tuple(filter, fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 4 }),
        async (commands, queries) => {
          const store = new MemoryStore({ indexChunkSize: 2 });
          const model = new Map<string, RoomData>();
          for (const c of commands) {
            if (c.kind === "create") {
              const room = makeRoom(c.id, {
                createdAt: Math.abs(c.second) === 8.64e12 ? new Date(c.second * 1000) : at(c.second),
                usersAccesses: c.users,
                groupsAccesses: c.groups,
                metadata: c.metadata,
              });
              await store.create(room);
              if (!model.has(c.id)) model.set(c.id, room);
            } else if (c.kind === "update") {
              const patch: RoomPatch = { usersAccesses: c.users, metadata: c.metadata };
              await store.update(c.id, patch);
              const current = model.get(c.id);
              if (current) model.set(c.id, applyRoomPatch(current, patch));
            } else if (c.kind === "rename") {
              const result = await store.rename(c.id, c.to);
              const current = model.get(c.id);
              expect(result === "not-found" ? undefined : result === "exists" ? current : result.id).toBe(
                current === undefined ? undefined : model.has(c.to) ? current : c.to,
              );
              if (current && !model.has(c.to)) {
                model.delete(c.id);
                model.set(c.to, { ...current, id: c.to });
              }
            } else {
              expect(await store.delete(c.id)).toBe(model.delete(c.id));
            }
          }
          for (const [f, limit] of queries) {
            const expected = [...model.values()]
              .filter((room) => matches(room, f))
              .sort((a, b) => compareSortKeys(key(b), key(a)))
              .map((room) => room.id);
            const got: string[] = [];
            let cursor: string | undefined;
            for (let pages = 0; pages <= expected.length + 1; pages++) {
              const page = await store.list(cursor === undefined ? { filter: f, limit } : { filter: f, limit, cursor });
              expect(page.rooms.length).toBeLessThanOrEqual(limit);
              got.push(...page.rooms.map((room) => room.id));
              if (page.nextCursor === null) break;
              cursor = page.nextCursor;
            }
            expect(got).toEqual(expected);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("list - userId AND metadata intersects the two indexes without losing a shared room", async () => {
    const store = new MemoryStore();
    // metadata (2 rooms) is the smaller index; the shared room r2 is not the newest of either.
    await store.create(makeRoom("r0", { createdAt: at(0), usersAccesses: { alice: ["*:read"] } }));
    await store.create(makeRoom("r1", { createdAt: at(1), usersAccesses: { alice: ["*:read"] } }));
    await store.create(makeRoom("r2", { createdAt: at(2), usersAccesses: { alice: ["*:read"] }, metadata: { status: "y" } }));
    await store.create(makeRoom("r3", { createdAt: at(3), metadata: { status: "y" } }));
    await store.create(makeRoom("r4", { createdAt: at(4), usersAccesses: { bob: ["*:read"] }, metadata: { status: "y" } }));
    const list = async (filter: RoomFilter) => (await store.list({ filter, limit: 5 })).rooms.map((r) => r.id);
    expect(await list({ userId: "alice", metadata: [["status", "y"]] })).toEqual(["r2"]);
    expect(await list({ userId: "alice", groupIds: ["eng"], metadata: [["status", "y"]] })).toEqual(["r2"]);
    expect(await list({ userId: "bob", metadata: [["status", "y"]] })).toEqual(["r4"]);
    expect(await list({ userId: "carol", metadata: [["status", "y"]] })).toEqual([]);
  });

  it("list - a cursor stays valid while rooms around it are deleted and created", async () => {
    const store = new MemoryStore({ indexChunkSize: 3 });
    for (let i = 0; i < 30; i++) await store.create(makeRoom(`p${String(i).padStart(2, "0")}`, { createdAt: at(i) }));
    const first = await store.list({ filter: { roomIdPrefix: "p" }, limit: 10 });
    expect(first.rooms.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => `p${29 - i}`));
    // The page's last room and its neighbours go; newer rooms arrive.
    for (const id of ["p20", "p19", "p21"]) await store.delete(id);
    await store.create(makeRoom("p99", { createdAt: at(99) }));
    const second = await store.list({ filter: { roomIdPrefix: "p" }, limit: 5, cursor: first.nextCursor! });
    expect(second.rooms.map((r) => r.id)).toEqual(["p18", "p17", "p16", "p15", "p14"]);
    const all = await store.list({ filter: {}, limit: 5, cursor: first.nextCursor! });
    expect(all.rooms.map((r) => r.id)).toEqual(["p18", "p17", "p16", "p15", "p14"]);
  });
  it("delete - ranks a delete leaves in index lists never surface, through their drop and rank reuse in the same millisecond", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 100,
          maxLength: 300,
        }),
        async (ops) => {
          // 60 rooms in 4 milliseconds, so re-created rooms take ranks deleted ones held.
          const store = new MemoryStore({ indexChunkSize: 4 });
          const model = new Map<string, RoomData>();
          const room = (i: number, ms: number) =>
            makeRoom(`r${i}`, {
              createdAt: new Date(ms),
              usersAccesses: i % 3 === 0 ? { alice: ["room:write"] } : { bob: ["room:write"], alice: ["room:read"] },
              groupsAccesses: i % 2 === 0 ? { eng: ["room:read"] } : {},
              metadata: { status: i % 4 === 0 ? "open" : "closed", tags: ["a", i % 5 === 0 ? "b" : "a"] },
            });
          for (let i = 0; i < 60; i++) {
            const created = room(i, i % 4);
            await store.create(created);
            model.set(created.id, created);
          }
          for (const [create, i, ms] of ops) {
            const id = `r${i}`;
            if (create && !model.has(id)) {
              const created = room(i, ms);
              await store.create(created);
              model.set(id, created);
            } else if (!create) expect(await store.delete(id)).toBe(model.delete(id));
          }
          const filters: RoomFilter[] = [
            { userId: "alice" },
            { userId: "bob" },
            { groupIds: ["eng"] },
            { organizationId: "default" },
            { metadata: [["status", "open"]] },
            { metadata: [["tags", "b"]] },
            { userId: "bob", metadata: [["status", "closed"]] },
          ];
          for (const f of filters) {
            const expected = [...model.values()]
              .filter((r) => matchesFilter(r, f))
              .sort((a, b) => compareSortKeys(key(b), key(a)))
              .map((r) => r.id);
            expect(await listIds(store, f, 7)).toEqual(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("list - roomId prefixes stay exact while deleted ids pile up in the id index and it is rebuilt", async () => {
    const store = new MemoryStore({ indexChunkSize: 8 });
    const live = new Set<string>();
    const id = (i: number) => `p${String(i).padStart(4, "0")}`;
    for (let i = 0; i < 3000; i++) {
      await store.create(makeRoom(id(i), { createdAt: at(i) }));
      live.add(id(i));
    }
    // 2,500 deletes pass the rebuild threshold; some ids come back before and after it.
    for (let i = 0; i < 2500; i++) {
      await store.delete(id(i));
      live.delete(id(i));
      if (i % 500 === 0) {
        await store.create(makeRoom(id(i), { createdAt: at(5000 + i) }));
        live.add(id(i));
      }
    }
    for (const prefix of ["p0", "p00", "p1", "p24", "p25", "p2999", "p"]) {
      const expected = [...live].filter((x) => x.startsWith(prefix));
      expect((await listIds(store, { roomIdPrefix: prefix }, 100)).sort()).toEqual(expected.sort());
    }
  });
});

describe("MemoryStore returned rooms", () => {
  it("getRoom and getRooms return one plain copy each, which callers cannot use to change the store", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
    await liveblocks.createRoom("r", {
      defaultAccesses: [],
      usersAccesses: JSON.parse('{"__proto__":["room:write"],"alice":["room:read"]}'),
      metadata: { tags: ["a", "b"] },
    });
    const a = await liveblocks.getRoom("r");
    const b = (await liveblocks.getRooms({ userId: "__proto__" })).data[0]!;
    for (const room of [a, b]) {
      expect(Object.getPrototypeOf(room.usersAccesses)).toBe(Object.prototype);
      expect(room.usersAccesses.hasOwnProperty("__proto__")).toBe(true);
      expect(JSON.stringify(room.usersAccesses)).toBe('{"__proto__":["room:write"],"alice":["room:read"]}');
    }
    expect(a).not.toBe(b);
    expect(a.usersAccesses).not.toBe(b.usersAccesses);
    (a.usersAccesses["alice"] as string[]).push("room:write");
    (a.metadata["tags"] as string[]).push("c");
    a.createdAt.setTime(0);
    a.defaultAccesses.push("room:write");
    const again = await liveblocks.getRoom("r");
    expect(again.usersAccesses["alice"]).toEqual(["room:read"]);
    expect(again.metadata["tags"]).toEqual(["a", "b"]);
    expect(again.defaultAccesses).toEqual([]);
    expect(again.createdAt.getTime()).not.toBe(0);
  });

  it("rooms with big access maps come back exact, in key order, after every write", async () => {
    const store = new MemoryStore();
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${(i * 7) % n}`);
    const usersAccesses: Record<string, RoomPermission> = JSON.parse('{"__proto__":["room:write"]}');
    for (const id of ids("u", 40)) usersAccesses[id] = ["room:read", "room:presence:write"];
    const groupsAccesses: Record<string, RoomPermission> = {};
    for (const id of ids("g", 20)) groupsAccesses[id] = ["room:write"];
    const room = makeRoom("big", { usersAccesses, groupsAccesses });
    const created = (await store.create(room)).room;
    const expectSame = (got: RoomData | null, want: RoomData) => {
      expect(JSON.stringify(got)).toBe(JSON.stringify(want));
      expect(Object.getPrototypeOf(got!.usersAccesses)).toBe(Object.prototype);
      expect(Object.hasOwn(got!.usersAccesses, "__proto__")).toBe(true);
    };
    expectSame(created, room);
    const first = (await store.get("big"))!;
    expectSame(first, room);
    (first.usersAccesses["u3"] as string[]).push("room:write");
    delete first.groupsAccesses["g1"];
    expectSame(await store.get("big"), room);
    expectSame((await store.list({ filter: { userId: "u39" }, limit: 1 })).rooms[0]!, room);
    const patch: RoomPatch = { usersAccesses: { u5: null, v1: ["room:write"] }, groupsAccesses: { g2: ["room:read"] } };
    const updated = applyRoomPatch(room, patch);
    expectSame(await store.update("big", patch), updated);
    expectSame(await store.get("big"), updated);
    expect(await store.rename("big", "bigger")).toMatchObject({ id: "bigger" });
    expectSame(await store.get("bigger"), { ...updated, id: "bigger" });
  });

  it("onRoomChange - each facade listener gets its own copy", async () => {
    const store = new MemoryStore();
    const one = new Liveblocks({ secret: SECRET, store });
    const two = new Liveblocks({ secret: SECRET, store });
    const seen: RoomData[] = [];
    one.onRoomChange((event) => event.room && seen.push(event.room));
    two.onRoomChange((event) => event.room && seen.push(event.room));
    await one.createRoom("r", { defaultAccesses: [] });
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[0]).toEqual(seen[1]);
  });
});

describe("MemoryStore revocations", () => {
  it("two Liveblocks instances sharing the store hear each other's revocations, with the stored cutoff", async () => {
    const store = new MemoryStore();
    const one = new Liveblocks({ secret: SECRET, store });
    const two = new Liveblocks({ secret: SECRET, store });
    const heard: { userId: string; issuedBefore: number }[] = [];
    const stop = two.onTokensRevoked((event) => heard.push(event));
    await one.revokeTokens({ userId: "alice", issuedBefore: 5000 });
    // An earlier cutoff changes nothing: listeners hear the stored one.
    await one.revokeTokens({ userId: "alice", issuedBefore: 1000 });
    stop();
    await one.revokeTokens({ userId: "bob", issuedBefore: 7000 });
    expect(heard).toEqual([
      { userId: "alice", issuedBefore: 5000 },
      { userId: "alice", issuedBefore: 5000 },
    ]);
  });
});
