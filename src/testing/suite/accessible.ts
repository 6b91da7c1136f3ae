/**
 * listAccessible (`getRooms({ accessibleBy })`): exactly the rooms
 * `resolveAccess` lets an identity enter, with the other filters ANDed,
 * newest first, paged without skips or repeats. A property test compares
 * every page walk with a scan of the rooms the test created.
 */
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { resolveAccess } from "../../permissions/resolve.js";
import type { AccessibleBy, RoomData, RoomFilter, RoomStore } from "../../rooms/types.js";
import { InvalidCursorError } from "../../rooms/types.js";
import { at, makeRoom, newestFirst } from "./helpers.js";
import type { StoreCapabilities } from "./helpers.js";

const MISDECLARED = "capabilities.accessibleBy is declared, but the store has no listAccessible";

const IDS = ["alice", "bob", "__proto__", "eng", "ops", "constructor"] as const;
const BASES = ["*:read", "*:write", "room:read", "room:write"] as const;
/** Valid sets, some with a feature lowered to none: none of them can keep a user out once it applies. */
const SET = fc.tuple(fc.constantFrom(...BASES), fc.constantFrom([], ["storage:none"], ["comments:none", "feeds:none"], ["storage:write"]));
const ACCESSES = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...IDS), SET), { selector: ([id]) => id, maxLength: 3 })
  .map((entries) => Object.fromEntries(entries.map(([id, [base, rest]]) => [id, [base, ...rest]])) as RoomData["usersAccesses"]);
const ROOM = fc.record({
  defaultAccesses: fc.oneof(
    fc.constant([] as string[]),
    SET.map(([base, rest]) => [base, ...rest]),
  ),
  usersAccesses: ACCESSES,
  groupsAccesses: ACCESSES,
  // Few distinct times: ties are ordered by id.
  second: fc.integer({ min: 0, max: 4 }),
  organizationId: fc.constantFrom("default", "acme"),
  status: fc.constantFrom("open", "closed"),
});
const ROOMS = fc
  .array(ROOM, { minLength: 1, maxLength: 12 })
  .map((rooms) =>
    rooms.map(({ second, status, ...rules }, i) =>
      makeRoom(`${i % 2 === 0 ? "org:" : "x:"}${i}`, { ...(rules as Partial<RoomData>), createdAt: at(second), metadata: { status } }),
    ),
  );
const WHO: fc.Arbitrary<AccessibleBy> = fc.record({
  userId: fc.constantFrom(...IDS, "nobody"),
  groupIds: fc.uniqueArray(fc.constantFrom(...IDS, "designers"), { maxLength: 3 }),
});
const FILTER: fc.Arbitrary<RoomFilter> = fc
  .record({
    organizationId: fc.option(fc.constantFrom("default", "acme"), { nil: undefined }),
    roomIdPrefix: fc.option(fc.constant("org:"), { nil: undefined }),
    status: fc.option(fc.constantFrom("open", "closed"), { nil: undefined }),
    userId: fc.option(fc.constantFrom(...IDS), { nil: undefined }),
  })
  .map(({ organizationId, roomIdPrefix, status, userId }) => ({
    ...(organizationId !== undefined && { organizationId }),
    ...(roomIdPrefix !== undefined && { roomIdPrefix }),
    ...(status !== undefined && { metadata: [["status", status] as const] }),
    ...(userId !== undefined && { userId }),
  }));

/** The filter's meaning for the fields {@link FILTER} sets. */
function matches(room: RoomData, filter: RoomFilter): boolean {
  if (filter.organizationId !== undefined && room.organizationId !== filter.organizationId) return false;
  if (filter.roomIdPrefix !== undefined && !room.id.startsWith(filter.roomIdPrefix)) return false;
  if (filter.userId !== undefined && !Object.hasOwn(room.usersAccesses, filter.userId)) return false;
  return (filter.metadata ?? []).every(([key, value]) => room.metadata[key] === value);
}

/** Every page of `listAccessible`, following cursors. */
async function walk(store: RoomStore, accessibleBy: AccessibleBy, filter: RoomFilter, limit: number): Promise<string[]> {
  const found: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await store.listAccessible!({ filter, limit, accessibleBy, ...(cursor !== undefined && { cursor }) });
    expect(page.rooms.length).toBeLessThanOrEqual(limit);
    found.push(...page.rooms.map((room) => room.id));
    if (page.nextCursor === null) return found;
    cursor = page.nextCursor;
  }
  throw new Error("listAccessible: more than 1000 pages, is the cursor stuck?");
}

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeAccessible(getStore: () => RoomStore, capabilities: StoreCapabilities): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
    if (capabilities.accessibleBy && store.listAccessible === undefined) throw new Error(MISDECLARED);
  });

  describe("listAccessible (optional: getRooms({ accessibleBy }))", () => {
    it.skipIf(!capabilities.accessibleBy)("listAccessible - the rooms resolveAccess lets the identity enter, newest first", async () => {
      await store.create(makeRoom("public", { createdAt: at(1), defaultAccesses: ["*:read"] }));
      await store.create(makeRoom("private", { createdAt: at(2) }));
      await store.create(makeRoom("mine", { createdAt: at(3), usersAccesses: { alice: ["*:read", "storage:none"] } }));
      await store.create(makeRoom("team", { createdAt: at(4), groupsAccesses: { eng: ["room:write"] } }));
      await store.create(
        makeRoom("others", { createdAt: at(5), usersAccesses: { bob: ["*:write"] }, groupsAccesses: { ops: ["*:read"] } }),
      );
      expect(await walk(store, { userId: "alice", groupIds: ["eng"] }, {}, 2)).toEqual(["team", "mine", "public"]);
      expect(await walk(store, { userId: "alice", groupIds: [] }, {}, 10)).toEqual(["mine", "public"]);
      expect(await walk(store, { userId: "carol", groupIds: ["ops", "eng"] }, {}, 1)).toEqual(["others", "team", "public"]);
      expect(await walk(store, { userId: "carol", groupIds: ["ops"] }, { roomId: "public" }, 5)).toEqual(["public"]);
    });

    it.skipIf(!capabilities.accessibleBy)("listAccessible - a cursor it did not issue is refused", async () => {
      await expect(
        store.listAccessible!({ filter: {}, limit: 5, cursor: "nope", accessibleBy: { userId: "a", groupIds: [] } }),
      ).rejects.toSatisfy(
        (error: unknown) => error instanceof InvalidCursorError || (error as { code?: unknown }).code === "ERR_INVALID_CURSOR",
      );
    });

    it.skipIf(!capabilities.accessibleBy)(
      "listAccessible - equals a scan with resolveAccess for every identity, filter and page size",
      async () => {
        await fc.assert(
          fc.asyncProperty(
            ROOMS,
            fc.array(fc.tuple(WHO, FILTER, fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 6 }),
            async (rooms, queries) => {
              for (const room of rooms) await store.create(structuredClone(room));
              try {
                for (const [who, filter, limit] of queries) {
                  const expected = rooms
                    .filter((room) => matches(room, filter) && resolveAccess(room, who).canEnter)
                    .sort(newestFirst)
                    .map((room) => room.id);
                  expect(await walk(store, who, filter, limit)).toEqual(expected);
                }
              } finally {
                for (const room of rooms) await store.delete(room.id);
              }
            },
          ),
          { numRuns: 16 },
        );
      },
      30_000,
    );

    it.skipIf(!capabilities.accessibleBy)("listAccessible - follows updates: a removed entry or default takes the room out", async () => {
      await store.create(makeRoom("r", { defaultAccesses: ["*:read"], usersAccesses: { alice: ["*:write"] } }));
      const who = { userId: "alice", groupIds: [] };
      expect(await walk(store, who, {}, 5)).toEqual(["r"]);
      await store.update("r", { defaultAccesses: null });
      expect(await walk(store, who, {}, 5)).toEqual(["r"]);
      expect(await walk(store, { userId: "bob", groupIds: [] }, {}, 5)).toEqual([]);
      await store.update("r", { usersAccesses: { alice: null }, groupsAccesses: { eng: ["*:read"] } });
      expect(await walk(store, who, {}, 5)).toEqual([]);
      expect(await walk(store, { userId: "alice", groupIds: ["eng"] }, {}, 5)).toEqual(["r"]);
      await store.delete("r");
      expect(await walk(store, { userId: "alice", groupIds: ["eng"] }, {}, 5)).toEqual([]);
    });
  });
}
