/**
 * The RoomStore conformance suite: one set of tests that every adapter's
 * test file runs in a few lines, so that memory, SQLite, Postgres and REST
 * stores behave the same. Listener assertions poll, so adapters that deliver
 * events asynchronously (Postgres `NOTIFY`) pass too.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { describeFacade } from "./facade-suite.js";
import type { RoomPermission } from "../permissions/scopes.js";
import type { RoomChangeEvent, RoomData, RoomFilter, RoomStore } from "../storage/types.js";

/**
 * Options of {@link testRoomStore}.
 *
 * @example
 * ```ts
 * const options: TestRoomStoreOptions = { name: "MemoryStore", create: () => new MemoryStore() };
 * ```
 */
export type TestRoomStoreOptions = {
  /** Name of the top-level `describe`; default `"RoomStore"`. */
  name?: string;
  /** A fresh, empty store; called before each test. */
  create: () => Promise<RoomStore> | RoomStore;
  /** Called after each test; default `store.close?.()`. */
  cleanup?: (store: RoomStore) => Promise<void> | void;
};

/**
 * Ids that are dangerous as keys of plain objects; every store must treat
 * them as ordinary room ids, user ids, group ids and metadata keys.
 *
 * @example
 * ```ts
 * for (const id of RESERVED_IDS) await store.create(makeRoom(id));
 * ```
 */
export const RESERVED_IDS = Object.freeze([
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "prototype",
] as const);

const BASE_TIME = Date.UTC(2024, 0, 1);
/** What `InvalidCursorError` carries; matched by shape so a custom store may throw its own class. */
const INVALID_CURSOR = { code: "ERR_INVALID_CURSOR", message: "Invalid cursor" };

/**
 * A `Date` `seconds` after 2024-01-01T00:00:00Z, for deterministic `createdAt`s.
 *
 * @example
 * ```ts
 * makeRoom("a", { createdAt: at(1) }); // created one second after the base time
 * ```
 */
export function at(seconds: number): Date {
  return new Date(BASE_TIME + seconds * 1000);
}

/**
 * A complete room with the defaults of a new Liveblocks room (organization
 * `"default"`, no accesses, no metadata, created at {@link at}(0)); any field
 * can be overridden. Build maps with reserved keys with `Object.fromEntries`
 * (an object literal's `__proto__:` sets the prototype instead).
 *
 * @example
 * ```ts
 * const room = makeRoom("my-room", { usersAccesses: { alice: ["*:write"] }, createdAt: at(5) });
 * ```
 */
export function makeRoom(id: string, overrides: Partial<Omit<RoomData, "type" | "id">> = {}): RoomData {
  const room: RoomData = {
    type: "room",
    id,
    createdAt: overrides.createdAt ?? at(0),
    organizationId: overrides.organizationId ?? "default",
    defaultAccesses: overrides.defaultAccesses ?? [],
    usersAccesses: overrides.usersAccesses ?? {},
    groupsAccesses: overrides.groupsAccesses ?? {},
    metadata: overrides.metadata ?? {},
  };
  if (overrides.lastConnectionAt !== undefined) room.lastConnectionAt = overrides.lastConnectionAt;
  return room;
}

/**
 * Every room matching `filter`, following `nextCursor` page by page. Checks
 * on the way that no page exceeds `limit` and, unless `strict` is `false`,
 * that a page with a `nextCursor` is followed by a non-empty page.
 *
 * @example
 * ```ts
 * const ids = (await collectRooms(store, { userId: "alice" }, 10)).map((room) => room.id);
 * ```
 */
export async function collectRooms(
  store: RoomStore,
  filter: RoomFilter,
  limit = 100,
  options: { strict?: boolean } = {},
): Promise<RoomData[]> {
  const rooms: RoomData[] = [];
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages > 10_000) throw new Error("collectRooms: more than 10000 pages, is the cursor stuck?");
    const page = await store.list(cursor === undefined ? { filter, limit } : { filter, limit, cursor });
    expect(page.rooms.length).toBeLessThanOrEqual(limit);
    if (cursor !== undefined && options.strict !== false) expect(page.rooms.length).toBeGreaterThan(0);
    rooms.push(...page.rooms);
    if (page.nextCursor === null) return rooms;
    cursor = page.nextCursor;
  }
}

async function ids(store: RoomStore, filter: RoomFilter, limit = 100): Promise<string[]> {
  return (await collectRooms(store, filter, limit)).map((room) => room.id);
}

/** Records the events of a store; `waitFor` polls for async adapters. */
function recordEvents(store: RoomStore) {
  const events: RoomChangeEvent[] = [];
  const unsubscribe = store.subscribe((event) => events.push(event));
  return { events, unsubscribe };
}

/** Newest first: createdAt descending, then id descending (UTF-16 order). */
function newestFirst(a: RoomData, b: RoomData): number {
  const byTime = b.createdAt.getTime() - a.createdAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function abortedSignal(): { signal: AbortSignal; reason: Error } {
  const controller = new AbortController();
  const reason = new Error("aborted by the test");
  controller.abort(reason);
  return { signal: controller.signal, reason };
}

/**
 * Registers the conformance suite for a {@link RoomStore} adapter: every
 * method, the update rules, ordering and keyset pagination, every filter,
 * reserved and exact ids, copies, concurrency, revocation, events, abort.
 *
 * @example
 * ```ts
 * // test/storage/memory.test.ts
 * testRoomStore({ name: "MemoryStore", create: () => new MemoryStore() });
 * ```
 */
export function testRoomStore(options: TestRoomStoreOptions): void {
  describe(options.name ?? "RoomStore", () => {
    let store: RoomStore;

    beforeEach(async () => {
      store = await options.create();
    });

    afterEach(async () => {
      if (options.cleanup !== undefined) await options.cleanup(store);
      else await store.close?.();
    });

    describe("get", () => {
      it("get - a missing room resolves to null", async () => {
        expect(await store.get("missing")).toBeNull();
      });

      it("get - returns the room as it was created", async () => {
        const room = makeRoom("r", {
          createdAt: new Date("2024-05-06T07:08:09.123Z"),
          lastConnectionAt: new Date("2024-05-07T00:00:00.456Z"),
          organizationId: "acme",
          defaultAccesses: ["room:read", "room:presence:write"],
          usersAccesses: { alice: ["*:write"], bob: ["*:read", "comments:write"] },
          groupsAccesses: { eng: ["room:write"] },
          metadata: { status: "open", tags: ["a", "b"] },
        });
        await store.create(room);
        const stored = await store.get("r");
        expect(stored).toEqual(room);
        expect(stored?.createdAt).toBeInstanceOf(Date);
        expect(stored?.lastConnectionAt).toBeInstanceOf(Date);
      });

      it("get - a room without lastConnectionAt has none", async () => {
        await store.create(makeRoom("r"));
        const stored = await store.get("r");
        expect(stored?.lastConnectionAt).toBeUndefined();
        expect(stored !== null && "lastConnectionAt" in stored).toBe(false);
      });
    });

    describe("create", () => {
      it("create - stores the room and resolves created: true", async () => {
        const room = makeRoom("r", { usersAccesses: { alice: ["*:write"] } });
        const result = await store.create(room);
        expect(result.created).toBe(true);
        expect(result.room).toEqual(room);
        expect(await store.get("r")).toEqual(room);
      });

      it("create - an existing id resolves to the existing room and created: false", async () => {
        const first = makeRoom("r", { metadata: { v: "1" } });
        await store.create(first);
        const result = await store.create(makeRoom("r", { metadata: { v: "2" }, createdAt: at(9) }));
        expect(result).toEqual({ room: first, created: false });
        expect(await store.get("r")).toEqual(first);
        expect(await ids(store, {})).toEqual(["r"]);
      });

      it("create - concurrent creates of one id create it once", async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.create(makeRoom("r", { metadata: { n: String(i) } }))),
        );
        expect(results.filter((result) => result.created)).toHaveLength(1);
        const winner = results.find((result) => result.created)?.room;
        for (const result of results) expect(result.room).toEqual(winner);
      });

      it("create - assert receives the room to be stored", async () => {
        const room = makeRoom("r", { usersAccesses: { alice: ["*:write"] } });
        const assert = vi.fn();
        await store.create(room, { assert });
        expect(assert).toHaveBeenCalledTimes(1);
        expect(assert.mock.calls[0]?.[0]).toEqual(room);
      });

      it("create - a failing assert stores nothing and rethrows", async () => {
        const error = new Error("too many users");
        await expect(
          store.create(makeRoom("r"), {
            assert: () => {
              throw error;
            },
          }),
        ).rejects.toBe(error);
        expect(await store.get("r")).toBeNull();
        expect(await ids(store, {})).toEqual([]);
        expect((await store.create(makeRoom("r"))).created).toBe(true);
      });

      it("create - a conflict does not run assert", async () => {
        await store.create(makeRoom("r"));
        const assert = vi.fn();
        await store.create(makeRoom("r"), { assert });
        expect(assert).not.toHaveBeenCalled();
      });
    });

    describe("update", () => {
      const base = () =>
        makeRoom("r", {
          createdAt: at(1),
          lastConnectionAt: at(2),
          organizationId: "acme",
          defaultAccesses: ["room:write"],
          usersAccesses: { alice: ["*:write"], bob: ["*:read"] },
          groupsAccesses: { eng: ["*:read"], ops: ["*:write"] },
          metadata: { status: "open", tags: ["a", "b"], owner: "alice" },
        });

      beforeEach(async () => {
        await store.create(base());
      });

      it("update - a value replaces that key", async () => {
        const room = await store.update("r", {
          usersAccesses: { alice: ["*:read"] },
          groupsAccesses: { eng: ["*:write", "storage:read"] },
          metadata: { status: "closed", tags: ["c"] },
        });
        expect(room?.usersAccesses).toEqual({ alice: ["*:read"], bob: ["*:read"] });
        expect(room?.groupsAccesses).toEqual({ eng: ["*:write", "storage:read"], ops: ["*:write"] });
        expect(room?.metadata).toEqual({ status: "closed", tags: ["c"], owner: "alice" });
      });

      it("update - a new key is added", async () => {
        const room = await store.update("r", {
          usersAccesses: { carol: ["*:read"] },
          groupsAccesses: { sales: ["*:read"] },
          metadata: { priority: "high" },
        });
        expect(room?.usersAccesses).toEqual({ alice: ["*:write"], bob: ["*:read"], carol: ["*:read"] });
        expect(room?.groupsAccesses).toEqual({ eng: ["*:read"], ops: ["*:write"], sales: ["*:read"] });
        expect(room?.metadata).toEqual({ status: "open", tags: ["a", "b"], owner: "alice", priority: "high" });
      });

      it("update - null removes the key", async () => {
        const room = await store.update("r", {
          usersAccesses: { bob: null },
          groupsAccesses: { eng: null },
          metadata: { tags: null },
        });
        expect(room?.usersAccesses).toEqual({ alice: ["*:write"] });
        expect(room?.groupsAccesses).toEqual({ ops: ["*:write"] });
        expect(room?.metadata).toEqual({ status: "open", owner: "alice" });
      });

      it("update - null for an absent key changes nothing", async () => {
        const room = await store.update("r", { usersAccesses: { zed: null }, metadata: { nope: null } });
        expect(room).toEqual(base());
      });

      it("update - absent keys and absent fields are untouched", async () => {
        const room = await store.update("r", { metadata: { owner: "bob" } });
        expect(room).toEqual({ ...base(), metadata: { status: "open", tags: ["a", "b"], owner: "bob" } });
      });

      it("update - defaultAccesses is replaced whole", async () => {
        const room = await store.update("r", { defaultAccesses: ["*:read", "comments:write"] });
        expect(room?.defaultAccesses).toEqual(["*:read", "comments:write"]);
      });

      it("update - defaultAccesses null resets it to []", async () => {
        const room = await store.update("r", { defaultAccesses: null });
        expect(room?.defaultAccesses).toEqual([]);
      });

      it("update - {} changes nothing", async () => {
        expect(await store.update("r", {})).toEqual(base());
        expect(await store.get("r")).toEqual(base());
      });

      it("update - empty maps change nothing", async () => {
        const room = await store.update("r", { usersAccesses: {}, groupsAccesses: {}, metadata: {} });
        expect(room).toEqual(base());
      });

      it("update - keeps id, createdAt, lastConnectionAt and organizationId", async () => {
        const room = await store.update("r", { metadata: { x: "y" } });
        expect(room?.id).toBe("r");
        expect(room?.createdAt).toEqual(at(1));
        expect(room?.lastConnectionAt).toEqual(at(2));
        expect(room?.organizationId).toBe("acme");
      });

      it("update - resolves to the room as stored", async () => {
        const room = await store.update("r", { usersAccesses: { carol: ["*:read"] } });
        expect(await store.get("r")).toEqual(room);
      });

      it("update - a missing room resolves to null and is not created", async () => {
        expect(await store.update("missing", { metadata: { a: "b" } })).toBeNull();
        expect(await store.get("missing")).toBeNull();
      });

      it("update - assert receives the patched room", async () => {
        const assert = vi.fn();
        const room = await store.update("r", { usersAccesses: { carol: ["*:read"] } }, { assert });
        expect(assert).toHaveBeenCalledTimes(1);
        expect(assert.mock.calls[0]?.[0]).toEqual(room);
      });

      it("update - a failing assert leaves the room unchanged and rethrows", async () => {
        const error = new Error("too many users");
        await expect(
          store.update(
            "r",
            { usersAccesses: { carol: ["*:read"], alice: null }, defaultAccesses: null },
            {
              assert: () => {
                throw error;
              },
            },
          ),
        ).rejects.toBe(error);
        expect(await store.get("r")).toEqual(base());
        expect(await ids(store, { userId: "carol" })).toEqual([]);
        expect(await ids(store, { userId: "alice" })).toEqual(["r"]);
      });

      it("update - a missing room does not run assert", async () => {
        const assert = vi.fn();
        await store.update("missing", {}, { assert });
        expect(assert).not.toHaveBeenCalled();
      });
    });

    describe("delete", () => {
      it("delete - removes the room and resolves true", async () => {
        await store.create(makeRoom("r", { usersAccesses: { alice: ["*:read"] } }));
        expect(await store.delete("r")).toBe(true);
        expect(await store.get("r")).toBeNull();
        expect(await ids(store, {})).toEqual([]);
        expect(await ids(store, { userId: "alice" })).toEqual([]);
      });

      it("delete - a missing room resolves to false", async () => {
        expect(await store.delete("missing")).toBe(false);
      });

      it("delete - leaves other rooms alone", async () => {
        await store.create(makeRoom("a"));
        await store.create(makeRoom("b"));
        await store.delete("a");
        expect(await ids(store, {})).toEqual(["b"]);
      });

      it("delete - the id can be created again", async () => {
        await store.create(makeRoom("r", { metadata: { v: "1" } }));
        await store.delete("r");
        const again = makeRoom("r", { metadata: { v: "2" } });
        expect(await store.create(again)).toEqual({ room: again, created: true });
      });
    });

    describe("list - ordering and pagination", () => {
      it("list - an empty store resolves to an empty last page", async () => {
        expect(await store.list({ filter: {}, limit: 20 })).toEqual({ rooms: [], nextCursor: null });
      });

      it("list - returns rooms newest first", async () => {
        for (const [id, second] of [["b", 2], ["a", 3], ["c", 1]] as const) {
          await store.create(makeRoom(id, { createdAt: at(second) }));
        }
        expect(await ids(store, {})).toEqual(["a", "b", "c"]);
      });

      it("list - breaks createdAt ties by id descending", async () => {
        for (const id of ["b", "a", "c", "B", "ab"]) await store.create(makeRoom(id, { createdAt: at(1) }));
        await store.create(makeRoom("z", { createdAt: at(0) }));
        expect(await ids(store, {})).toEqual(["c", "b", "ab", "a", "B", "z"]);
      });

      it("list - pages of 10 over 57 rooms skip and repeat nothing", async () => {
        const rooms = Array.from({ length: 57 }, (_, i) =>
          makeRoom(`room-${String(i).padStart(2, "0")}`, { createdAt: at(Math.floor(i / 3)) }),
        );
        // Created in a shuffled order: the order must come from the data.
        for (const i of shuffledIndexes(rooms.length)) await store.create(rooms[i] as RoomData);
        const sizes: number[] = [];
        let cursor: string | undefined;
        const seen: string[] = [];
        for (;;) {
          const page = await store.list({ filter: {}, limit: 10, ...(cursor === undefined ? {} : { cursor }) });
          sizes.push(page.rooms.length);
          seen.push(...page.rooms.map((room) => room.id));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(sizes).toEqual([10, 10, 10, 10, 10, 7]);
        expect(seen).toEqual([...rooms].sort(newestFirst).map((room) => room.id));
      });

      it("list - the last full page has no nextCursor", async () => {
        for (let i = 0; i < 20; i++) await store.create(makeRoom(`r${i}`, { createdAt: at(i) }));
        const first = await store.list({ filter: {}, limit: 10 });
        expect(first.nextCursor).not.toBeNull();
        const second = await store.list({ filter: {}, limit: 10, cursor: first.nextCursor as string });
        expect(second.rooms).toHaveLength(10);
        expect(second.nextCursor).toBeNull();
      });

      it("list - limit 1 walks every room", async () => {
        for (let i = 0; i < 7; i++) await store.create(makeRoom(`r${i}`, { createdAt: at(i % 2) }));
        expect(await ids(store, {}, 1)).toEqual(["r5", "r3", "r1", "r6", "r4", "r2", "r0"]);
      });

      it("list - rooms created and deleted between pages are neither skipped nor repeated", async () => {
        const rooms = Array.from({ length: 57 }, (_, i) =>
          makeRoom(`room-${String(i).padStart(2, "0")}`, { createdAt: at(100 + Math.floor(i / 2)) }),
        );
        for (const room of rooms) await store.create(room);
        const ordered = [...rooms].sort(newestFirst).map((room) => room.id);

        const seen: string[] = [];
        const first = await store.list({ filter: {}, limit: 10 });
        seen.push(...first.rooms.map((room) => room.id));
        expect(seen).toEqual(ordered.slice(0, 10));

        // The cursor's own room goes away, as do two rooms not seen yet.
        const deletedUnseen = [ordered[20] as string, ordered[45] as string];
        await store.delete(ordered[9] as string);
        for (const id of deletedUnseen) await store.delete(id);
        // Rooms sorting before the cursor (newer, or same time and a greater
        // id) are not part of this walk; rooms after it must show up.
        const cursorTime = (rooms.find((room) => room.id === ordered[9]) as RoomData).createdAt;
        const before = [
          makeRoom("newer-1", { createdAt: at(1000) }),
          makeRoom(`${ordered[9]}z`, { createdAt: cursorTime }),
        ];
        const after = [
          makeRoom("older-1", { createdAt: at(1) }),
          makeRoom("middle-1", { createdAt: at(115) }),
          makeRoom(`${ordered[10]}a`, { createdAt: cursorTime }),
        ];
        for (const room of [...before, ...after]) await store.create(room);

        let cursor = first.nextCursor;
        while (cursor !== null) {
          const page = await store.list({ filter: {}, limit: 10, cursor });
          seen.push(...page.rooms.map((room) => room.id));
          cursor = page.nextCursor;
          // Keep changing things while paging.
          await store.create(makeRoom(`late-newer-${seen.length}`, { createdAt: at(2000) }));
        }

        const firstPage = new Set(ordered.slice(0, 10));
        const rest = [...rooms, ...after]
          .filter((room) => !firstPage.has(room.id) && !deletedUnseen.includes(room.id))
          .sort(newestFirst)
          .map((room) => room.id);
        expect(seen).toEqual([...ordered.slice(0, 10), ...rest]);
      });

      it("list - a malformed cursor rejects with InvalidCursorError", async () => {
        await store.create(makeRoom("r"));
        for (const cursor of ["not a cursor!", "%%%", "eyJ4IjoxfQ", "null"]) {
          // By code, not instanceof: a store may come from another copy of roomgate.
          await expect(store.list({ filter: {}, limit: 10, cursor })).rejects.toMatchObject(INVALID_CURSOR);
        }
      });

      it("list - a cursor of one filter keeps its position under another", async () => {
        for (let i = 0; i < 6; i++) {
          const usersAccesses: RoomData["usersAccesses"] = i % 2 === 0 ? { alice: ["*:read"] } : {};
          await store.create(makeRoom(`r${i}`, { createdAt: at(i), usersAccesses }));
        }
        const first = await store.list({ filter: {}, limit: 2 });
        expect(first.rooms.map((room) => room.id)).toEqual(["r5", "r4"]);
        const cursor = first.nextCursor as string;
        const next = await store.list({ filter: { userId: "alice" }, limit: 10, cursor });
        expect(next.rooms.map((room) => room.id)).toEqual(["r2", "r0"]);
      });
    });

    describe("list - filters", () => {
      beforeEach(async () => {
        const fixtures: RoomData[] = [
          makeRoom("a1", {
            createdAt: at(1),
            usersAccesses: { alice: ["*:write"] },
            groupsAccesses: { eng: ["*:read"] },
            metadata: { status: "open", tags: ["x", "y"] },
          }),
          makeRoom("a2", {
            createdAt: at(2),
            organizationId: "acme",
            usersAccesses: { bob: ["*:write"] },
            groupsAccesses: { ops: ["*:read"] },
            metadata: { status: "closed" },
          }),
          makeRoom("a3", {
            createdAt: at(3),
            organizationId: "acme",
            usersAccesses: { alice: ["*:read"], bob: ["*:read"] },
            metadata: { status: "open", tags: ["y"] },
          }),
          makeRoom("a4", {
            createdAt: at(4),
            groupsAccesses: { eng: ["*:read"], ops: ["*:write"] },
            metadata: { tags: ["z"] },
          }),
          makeRoom("a5", {
            createdAt: at(5),
            organizationId: "acme",
            usersAccesses: { carol: ["*:read"] },
            metadata: { status: "Open" },
          }),
          makeRoom("org:1", {
            createdAt: at(6),
            organizationId: "acme",
            usersAccesses: { alice: ["*:read"] },
            metadata: { status: "open" },
          }),
          makeRoom("org:2", { createdAt: at(7), organizationId: "acme", groupsAccesses: { eng: ["*:write"] } }),
          makeRoom("orgx", { createdAt: at(8), metadata: { status: "open,closed" } }),
        ];
        // Created in a shuffled order: indexes must sort by createdAt, not arrival.
        for (const i of [3, 0, 7, 5, 1, 6, 4, 2]) await store.create(fixtures[i] as RoomData);
      });

      const EVERY_ROOM = ["orgx", "org:2", "org:1", "a5", "a4", "a3", "a2", "a1"];
      const cases: [string, RoomFilter, string[]][] = [
        ["no filter keeps every room", {}, EVERY_ROOM],
        ["userId keeps rooms whose usersAccesses has the user", { userId: "alice" }, ["org:1", "a3", "a1"]],
        ["userId is case-sensitive", { userId: "Alice" }, []],
        ["userId unknown keeps nothing", { userId: "dave" }, []],
        ["groupIds keeps rooms whose groupsAccesses has a group", { groupIds: ["eng"] }, ["org:2", "a4", "a1"]],
        ["groupIds with several groups keeps rooms of any", { groupIds: ["eng", "ops"] }, ["org:2", "a4", "a2", "a1"]],
        ["groupIds with a repeated group lists each room once", { groupIds: ["eng", "eng"] }, ["org:2", "a4", "a1"]],
        ["groupIds unknown keeps nothing", { groupIds: ["nope"] }, []],
        ["groupIds empty adds no condition", { groupIds: [] }, EVERY_ROOM],
        ["userId OR groupIds", { userId: "bob", groupIds: ["eng"] }, ["org:2", "a4", "a3", "a2", "a1"]],
        ["userId OR groupIds with an unknown user", { userId: "dave", groupIds: ["ops"] }, ["a4", "a2"]],
        ["organizationId", { organizationId: "acme" }, ["org:2", "org:1", "a5", "a3", "a2"]],
        ["organizationId default", { organizationId: "default" }, ["orgx", "a4", "a1"]],
        ["organizationId unknown", { organizationId: "Acme" }, []],
        ["roomId exact", { roomId: "a3" }, ["a3"]],
        ["roomId is case-sensitive", { roomId: "A3" }, []],
        ["roomId missing", { roomId: "zz" }, []],
        ["roomIdPrefix", { roomIdPrefix: "org" }, ["orgx", "org:2", "org:1"]],
        ["roomIdPrefix is literal", { roomIdPrefix: "org:" }, ["org:2", "org:1"]],
        ["roomIdPrefix with regex characters is literal", { roomIdPrefix: "org." }, []],
        ["roomIdPrefix empty keeps every room", { roomIdPrefix: "" }, EVERY_ROOM],
        ["roomIdPrefix equal to an id keeps it", { roomIdPrefix: "a3" }, ["a3"]],
        ["metadata string value matches exactly", { metadata: [["status", "open"]] }, ["org:1", "a3", "a1"]],
        ["metadata value is case-sensitive", { metadata: [["status", "Open"]] }, ["a5"]],
        ["metadata array value contains", { metadata: [["tags", "y"]] }, ["a3", "a1"]],
        ["metadata array value, single element", { metadata: [["tags", "z"]] }, ["a4"]],
        ["metadata unknown key", { metadata: [["nope", "open"]] }, []],
        ["metadata pairs are ANDed", { metadata: [["status", "open"], ["tags", "y"]] }, ["a3", "a1"]],
        ["metadata pairs are ANDed, narrower", { metadata: [["status", "open"], ["tags", "x"]] }, ["a1"]],
        ["metadata one key, two values, string value", { metadata: [["status", "open"], ["status", "closed"]] }, []],
        ["metadata one key, two values, array value", { metadata: [["tags", "x"], ["tags", "y"]] }, ["a1"]],
        ["userId AND organizationId", { userId: "alice", organizationId: "acme" }, ["org:1", "a3"]],
        ["userId AND metadata AND roomIdPrefix", { userId: "alice", metadata: [["status", "open"]], roomIdPrefix: "a" }, ["a3", "a1"]],
        ["groupIds AND organizationId AND roomIdPrefix", { groupIds: ["eng"], organizationId: "acme", roomIdPrefix: "org:" }, ["org:2"]],
        ["roomId AND userId", { roomId: "a3", userId: "bob" }, ["a3"]],
        ["roomId AND a user without access", { roomId: "a3", userId: "carol" }, []],
        ["roomId AND a prefix it does not start with", { roomId: "a3", roomIdPrefix: "org" }, []],
        ["everything at once", { userId: "bob", groupIds: ["eng"], organizationId: "acme", roomIdPrefix: "a", metadata: [["status", "open"]] }, ["a3"]],
      ];

      for (const [behaviour, filter, expected] of cases) {
        it(`list - ${behaviour}`, async () => {
          expect(await ids(store, filter)).toEqual(expected);
          expect(await ids(store, filter, 2)).toEqual(expected);
        });
      }

      it("list - filters see updates", async () => {
        await store.update("a2", {
          usersAccesses: { bob: null, alice: ["*:read"] },
          groupsAccesses: { ops: null },
          metadata: { status: "open", tags: ["y"] },
        });
        expect(await ids(store, { userId: "alice" })).toEqual(["org:1", "a3", "a2", "a1"]);
        expect(await ids(store, { userId: "bob" })).toEqual(["a3"]);
        expect(await ids(store, { groupIds: ["ops"] })).toEqual(["a4"]);
        expect(await ids(store, { metadata: [["status", "closed"]] })).toEqual([]);
        expect(await ids(store, { metadata: [["tags", "y"]] })).toEqual(["a3", "a2", "a1"]);
        expect(await ids(store, { metadata: [["status", "open"]] })).toEqual(["org:1", "a3", "a2", "a1"]);
      });

      it("list - filters forget deleted rooms", async () => {
        await store.delete("a3");
        expect(await ids(store, { userId: "alice" })).toEqual(["org:1", "a1"]);
        expect(await ids(store, { organizationId: "acme" })).toEqual(["org:2", "org:1", "a5", "a2"]);
        expect(await ids(store, { metadata: [["tags", "y"]] })).toEqual(["a1"]);
      });
    });

    describe("reserved ids", () => {
      for (const id of RESERVED_IDS) {
        it(`every method - ${id} is an ordinary room id`, async () => {
          await store.create(makeRoom("other"));
          const room = makeRoom(id, { createdAt: at(1), metadata: { v: "1" } });
          expect(await store.get(id)).toBeNull();
          expect(await store.create(room)).toEqual({ room, created: true });
          expect(await store.get(id)).toEqual(room);
          expect(await ids(store, { roomId: id })).toEqual([id]);
          expect(await ids(store, { roomIdPrefix: id })).toEqual([id]);
          expect((await store.update(id, { metadata: { v: "2" } }))?.metadata).toEqual({ v: "2" });
          expect(await ids(store, {})).toEqual([id, "other"]);
          expect(await store.delete(id)).toBe(true);
          expect(await store.get(id)).toBeNull();
          expect(await ids(store, {})).toEqual(["other"]);
        });
      }

      it("create - reserved ids round-trip as user ids, group ids and metadata keys", async () => {
        const entries = RESERVED_IDS.map((id): [string, RoomPermission] => [id, ["*:write"]]);
        const room = makeRoom("r", {
          usersAccesses: Object.fromEntries(entries),
          groupsAccesses: Object.fromEntries(entries),
          metadata: Object.fromEntries(RESERVED_IDS.map((id) => [id, `value of ${id}`])),
        });
        await store.create(room);
        const stored = await store.get("r");
        expect(stored).toEqual(room);
        for (const map of [stored?.usersAccesses, stored?.groupsAccesses, stored?.metadata]) {
          expect(Object.keys(map ?? {}).sort()).toEqual([...RESERVED_IDS].sort());
          for (const id of RESERVED_IDS) expect(Object.hasOwn(map ?? {}, id)).toBe(true);
          expect([null, Object.prototype]).toContain(Object.getPrototypeOf(map));
        }
        expect(stored?.usersAccesses["__proto__"]).toEqual(["*:write"]);
        expect(stored?.metadata["constructor"]).toBe("value of constructor");
        const json = JSON.parse(JSON.stringify(stored)) as Record<string, Record<string, unknown>>;
        for (const field of ["usersAccesses", "groupsAccesses", "metadata"]) {
          expect(Object.keys(json[field] ?? {}).sort()).toEqual([...RESERVED_IDS].sort());
        }
        for (const id of RESERVED_IDS) {
          expect(await ids(store, { userId: id })).toEqual(["r"]);
          expect(await ids(store, { groupIds: [id] })).toEqual(["r"]);
          expect(await ids(store, { metadata: [[id, `value of ${id}`]] })).toEqual(["r"]);
        }
      });

      it("list - reserved ids match no room that lacks them", async () => {
        await store.create(makeRoom("r", { usersAccesses: { alice: ["*:read"] } }));
        const stored = await store.get("r");
        for (const id of RESERVED_IDS) {
          expect(Object.hasOwn(stored?.usersAccesses ?? {}, id)).toBe(false);
          expect(await ids(store, { userId: id })).toEqual([]);
          expect(await ids(store, { groupIds: [id] })).toEqual([]);
          expect(await ids(store, { metadata: [[id, "x"]] })).toEqual([]);
        }
      });

      it("update - patches add, replace and remove reserved keys", async () => {
        await store.create(makeRoom("r"));
        const add = Object.fromEntries(RESERVED_IDS.map((id): [string, RoomPermission] => [id, ["*:read"]]));
        let room = await store.update("r", {
          usersAccesses: add,
          groupsAccesses: add,
          metadata: Object.fromEntries(RESERVED_IDS.map((id) => [id, [id]])),
        });
        expect(Object.keys(room?.usersAccesses ?? {}).sort()).toEqual([...RESERVED_IDS].sort());
        expect(Object.keys(room?.metadata ?? {}).sort()).toEqual([...RESERVED_IDS].sort());
        room = await store.update("r", {
          usersAccesses: Object.fromEntries([["__proto__", ["*:write"]], ["constructor", null]]),
          metadata: Object.fromEntries([["__proto__", null], ["toString", "replaced"]]),
        });
        expect(room?.usersAccesses["__proto__"]).toEqual(["*:write"]);
        expect(Object.hasOwn(room?.usersAccesses ?? {}, "constructor")).toBe(false);
        expect(Object.hasOwn(room?.metadata ?? {}, "__proto__")).toBe(false);
        expect(room?.metadata["toString"]).toBe("replaced");
        expect(await store.get("r")).toEqual(room);
        expect(await ids(store, { userId: "constructor" })).toEqual([]);
        expect(await ids(store, { userId: "__proto__" })).toEqual(["r"]);
        expect(await ids(store, { metadata: [["__proto__", "__proto__"]] })).toEqual([]);
        expect(await ids(store, { metadata: [["toString", "replaced"]] })).toEqual(["r"]);
      });

      it("update - patching __proto__ pollutes no prototype", async () => {
        const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
        await store.create(makeRoom("r"));
        await store.update("r", {
          usersAccesses: Object.fromEntries([["__proto__", ["*:write"]]]),
          groupsAccesses: Object.fromEntries([["__proto__", ["*:write"]]]),
          metadata: Object.fromEntries([
            ["__proto__", ["polluted"]],
            ["polluted", "yes"],
          ]),
        });
        const room = await store.get("r");
        expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
        for (const map of [room?.usersAccesses, room?.groupsAccesses, room?.metadata]) {
          expect([null, Object.prototype]).toContain(Object.getPrototypeOf(map));
        }
        expect(JSON.stringify(room?.metadata)).toBe('{"__proto__":["polluted"],"polluted":"yes"}');
      });
    });

    describe("exact ids", () => {
      it("every method - room ids differ by case, separator and normalisation", async () => {
        const roomIds = ["Room", "room", "a/b", "a:b", "caf\u00e9", "cafe\u0301", "a", "a "];
        for (const [i, id] of roomIds.entries()) {
          await store.create(makeRoom(id, { createdAt: at(i), metadata: { n: String(i) } }));
        }
        for (const [i, id] of roomIds.entries()) {
          expect((await store.get(id))?.metadata).toEqual({ n: String(i) });
          expect(await ids(store, { roomId: id })).toEqual([id]);
        }
        expect(await store.get("ROOM")).toBeNull();
        expect(await store.get("a%2Fb")).toBeNull();
        expect(await ids(store, { roomIdPrefix: "Ro" })).toEqual(["Room"]);
        expect(await ids(store, { roomIdPrefix: "a/" })).toEqual(["a/b"]);
        expect(await ids(store, { roomIdPrefix: "caf\u00e9" })).toEqual(["caf\u00e9"]);
        await store.delete("room");
        expect(await store.get("Room")).not.toBeNull();
      });

      it("list - user ids, group ids and metadata are compared exactly", async () => {
        await store.create(
          makeRoom("r", {
            usersAccesses: { Alice: ["*:read"], "a/b": ["*:read"] },
            groupsAccesses: { Eng: ["*:read"] },
            metadata: { Status: "Open" },
          }),
        );
        expect(await ids(store, { userId: "alice" })).toEqual([]);
        expect(await ids(store, { userId: "a:b" })).toEqual([]);
        expect(await ids(store, { userId: "a/b" })).toEqual(["r"]);
        expect(await ids(store, { groupIds: ["eng"] })).toEqual([]);
        expect(await ids(store, { metadata: [["status", "Open"]] })).toEqual([]);
        expect(await ids(store, { metadata: [["Status", "open"]] })).toEqual([]);
        expect(await ids(store, { metadata: [["Status", "Open"]] })).toEqual(["r"]);
      });
    });

    describe("copies", () => {
      const full = () =>
        makeRoom("r", {
          lastConnectionAt: at(3),
          defaultAccesses: ["*:read"],
          usersAccesses: { alice: ["*:write"] },
          groupsAccesses: { eng: ["*:read"] },
          metadata: { tags: ["a"], status: "open" },
        });

      function vandalise(room: RoomData | null | undefined): void {
        if (!room) throw new Error("expected a room");
        room.id = "changed";
        room.createdAt.setTime(0);
        room.lastConnectionAt?.setTime(0);
        room.defaultAccesses.push("*:write");
        (room.usersAccesses["alice"] as string[]).push("storage:read");
        room.usersAccesses["mallory"] = ["*:write"];
        (room.groupsAccesses["eng"] as string[]).length = 0;
        (room.metadata["tags"] as string[]).push("b");
        room.metadata["status"] = "closed";
      }

      it("create - mutating the input afterwards does not change the store", async () => {
        const room = full();
        await store.create(room);
        vandalise(room);
        expect(await store.get("r")).toEqual(full());
      });

      it("every method - mutating a returned room does not change the store", async () => {
        vandalise((await store.create(full())).room);
        vandalise(await store.get("r"));
        vandalise((await store.create(full())).room);
        vandalise(await store.update("r", {}));
        vandalise((await store.list({ filter: {}, limit: 10 })).rooms[0]);
        expect(await store.get("r")).toEqual(full());
        expect(await ids(store, { userId: "mallory" })).toEqual([]);
      });

      it("update - mutating the patch afterwards does not change the store", async () => {
        await store.create(full());
        const scopes: ("*:read" | "*:write")[] = ["*:read"];
        const patch = { usersAccesses: { bob: scopes }, metadata: { tags: ["x"] } };
        await store.update("r", patch);
        scopes.push("*:write");
        patch.metadata.tags.push("y");
        const room = await store.get("r");
        expect(room?.usersAccesses["bob"]).toEqual(["*:read"]);
        expect(room?.metadata["tags"]).toEqual(["x"]);
      });

      it("subscribe - mutating an event's room does not change the store", async () => {
        const { events, unsubscribe } = recordEvents(store);
        await store.create(full());
        await vi.waitFor(() => expect(events).toHaveLength(1));
        vandalise(events[0]?.room);
        unsubscribe();
        expect(await store.get("r")).toEqual(full());
      });

      it("get - two reads return distinct objects", async () => {
        await store.create(full());
        const [a, b] = await Promise.all([store.get("r"), store.get("r")]);
        expect(a).not.toBe(b);
        expect(a?.usersAccesses).not.toBe(b?.usersAccesses);
        expect(a?.createdAt).not.toBe(b?.createdAt);
      });
    });

    describe("concurrency", () => {
      it("update - 100 concurrent updates adding distinct users all land", async () => {
        await store.create(makeRoom("r"));
        const userIds = Array.from({ length: 100 }, (_, i) => `user-${i}`);
        await Promise.all(userIds.map((userId) => store.update("r", { usersAccesses: { [userId]: ["*:read"] } })));
        const room = await store.get("r");
        expect(Object.keys(room?.usersAccesses ?? {}).sort()).toEqual([...userIds].sort());
        for (const userId of userIds) expect(await ids(store, { userId })).toEqual(["r"]);
      });

      it("update - concurrent updates of different fields all land", async () => {
        await store.create(makeRoom("r", { usersAccesses: { gone: ["*:read"] } }));
        await Promise.all([
          ...Array.from({ length: 30 }, (_, i) => store.update("r", { metadata: { [`k${i}`]: `v${i}` } })),
          ...Array.from({ length: 30 }, (_, i) => store.update("r", { groupsAccesses: { [`g${i}`]: ["*:read"] } })),
          store.update("r", { usersAccesses: { gone: null } }),
          store.update("r", { defaultAccesses: ["*:read"] }),
        ]);
        const room = await store.get("r");
        expect(Object.keys(room?.metadata ?? {})).toHaveLength(30);
        expect(Object.keys(room?.groupsAccesses ?? {})).toHaveLength(30);
        expect(room?.usersAccesses).toEqual({});
        expect(room?.defaultAccesses).toEqual(["*:read"]);
      });
    });

    describe("revocation", () => {
      it("getRevocation - an unknown user resolves to null", async () => {
        expect(await store.getRevocation("alice")).toBeNull();
      });

      it("revokeTokens - records the cutoff", async () => {
        await store.revokeTokens("alice", 1_700_000_000_000);
        expect(await store.getRevocation("alice")).toBe(1_700_000_000_000);
        expect(await store.getRevocation("bob")).toBeNull();
        expect(await store.getRevocation("Alice")).toBeNull();
      });

      it("revokeTokens - the cutoff only moves forward", async () => {
        await store.revokeTokens("alice", 2_000);
        await store.revokeTokens("alice", 1_000);
        expect(await store.getRevocation("alice")).toBe(2_000);
        await store.revokeTokens("alice", 3_000);
        expect(await store.getRevocation("alice")).toBe(3_000);
      });

      it("revokeTokens - concurrent revocations keep the latest cutoff", async () => {
        const cutoffs = [5, 1, 9, 3, 7].map((n) => 1_700_000_000_000 + n);
        await Promise.all(cutoffs.map((cutoff) => store.revokeTokens("alice", cutoff)));
        expect(await store.getRevocation("alice")).toBe(1_700_000_000_009);
      });

      it("revokeTokens - reserved user ids are ordinary ids", async () => {
        for (const [i, id] of RESERVED_IDS.entries()) await store.revokeTokens(id, 1000 + i);
        for (const [i, id] of RESERVED_IDS.entries()) expect(await store.getRevocation(id)).toBe(1000 + i);
      });
    });

    describe("subscribe", () => {
      it("subscribe - receives created, updated and deleted events with the room", async () => {
        const { events, unsubscribe } = recordEvents(store);
        const created = await store.create(makeRoom("r"));
        const updated = await store.update("r", { metadata: { a: "b" } });
        await store.delete("r");
        await vi.waitFor(() => expect(events).toHaveLength(3));
        expect(events).toEqual([
          { type: "created", roomId: "r", room: created.room },
          { type: "updated", roomId: "r", room: updated },
          { type: "deleted", roomId: "r", room: null },
        ]);
        unsubscribe();
      });

      it("subscribe - no event for writes that change nothing", async () => {
        const { events, unsubscribe } = recordEvents(store);
        await store.create(makeRoom("r"));
        await store.create(makeRoom("r"));
        await store.update("missing", { metadata: { a: "b" } });
        await store.delete("missing");
        await store
          .update("r", { metadata: { a: "b" } }, { assert: () => { throw new Error("no"); } })
          .catch(() => undefined);
        await store
          .create(makeRoom("other"), { assert: () => { throw new Error("no"); } })
          .catch(() => undefined);
        // A marker write: once its event is in, every earlier one would be.
        await store.delete("r");
        await vi.waitFor(() => expect(events.map((event) => event.type)).toContain("deleted"));
        expect(events.map((event) => [event.type, event.roomId])).toEqual([
          ["created", "r"],
          ["deleted", "r"],
        ]);
        unsubscribe();
      });

      it("subscribe - the unsubscribe function stops the events", async () => {
        const first = recordEvents(store);
        const second = recordEvents(store);
        await store.create(makeRoom("a"));
        await vi.waitFor(() => expect(first.events).toHaveLength(1));
        first.unsubscribe();
        first.unsubscribe();
        await store.create(makeRoom("b"));
        await vi.waitFor(() => expect(second.events).toHaveLength(2));
        expect(first.events).toHaveLength(1);
        second.unsubscribe();
      });
    });

    describe("getAccessRules (optional fast path)", () => {
      it("getAccessRules - when present, gives the subject's entries as stored; null for a missing room", async () => {
        if (store.getAccessRules === undefined) return;
        const room = makeRoom("r", {
          defaultAccesses: ["room:read"],
          usersAccesses: Object.fromEntries([
            ["alice", ["room:write"]],
            ["__proto__", ["*:read"]],
          ]) as RoomData["usersAccesses"],
          groupsAccesses: { eng: ["*:write", "storage:read"], ops: ["*:read"] },
        });
        await store.create(room);
        const subject = { userId: "alice", groupIds: ["eng", "nobody"] };
        const rules = await store.getAccessRules("r", subject);
        expect(rules).not.toBeNull();
        expect([...rules!.defaultAccesses]).toEqual(["room:read"]);
        expect(rules!.usersAccesses?.alice).toEqual(["room:write"]);
        expect(rules!.groupsAccesses?.eng).toEqual(["*:write", "storage:read"]);
        expect(Object.hasOwn(rules!.groupsAccesses ?? {}, "nobody")).toBe(false);
        const proto = await store.getAccessRules("r", { userId: "__proto__", groupIds: [] });
        expect(proto!.usersAccesses?.["__proto__"]).toEqual(["*:read"]);
        expect(await store.getAccessRules("missing", subject)).toBeNull();
        await store.update("r", { usersAccesses: { alice: null } });
        const after = await store.getAccessRules("r", subject);
        expect(Object.hasOwn(after!.usersAccesses ?? {}, "alice")).toBe(false);
      });
    });

    describeFacade(() => store);

    describe("abort signal", () => {
      it("every method - rejects with the reason of an aborted signal and writes nothing", async () => {
        await store.create(makeRoom("r"));
        const { signal, reason } = abortedSignal();
        await expect(store.get("r", { signal })).rejects.toBe(reason);
        await expect(store.create(makeRoom("new"), { signal })).rejects.toBe(reason);
        await expect(store.update("r", { metadata: { a: "b" } }, { signal })).rejects.toBe(reason);
        await expect(store.delete("r", { signal })).rejects.toBe(reason);
        await expect(store.list({ filter: {}, limit: 10 }, { signal })).rejects.toBe(reason);
        await expect(store.revokeTokens("alice", 1000, { signal })).rejects.toBe(reason);
        await expect(store.getRevocation("alice", { signal })).rejects.toBe(reason);
        expect(await store.get("new")).toBeNull();
        expect(await store.get("r")).toEqual(makeRoom("r"));
        expect(await store.getRevocation("alice")).toBeNull();
      });
    });
  });
}

/** A fixed permutation of 0..n-1 (deterministic, so failures reproduce). */
function shuffledIndexes(n: number): number[] {
  const indexes = Array.from({ length: n }, (_, i) => i);
  let seed = 42;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
  }
  return indexes;
}
