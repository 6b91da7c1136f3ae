/**
 * list filters: users OR groups, organization, room id and prefix, metadata,
 * ANDed together. The rooms and cases are exported as data so a store's own
 * filter builder (a SQL WHERE clause, say) can be tested against them.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { RoomData, RoomFilter, RoomStore } from "../../rooms/types.js";
import { at, ids, makeRoom } from "./helpers.js";

/** One filter case: a behaviour, a filter, and the ids it keeps among {@link FILTER_ROOMS}, newest first. */
export type FilterCase = { behaviour: string; filter: RoomFilter; expected: readonly string[] };

/** The rooms of the filter cases, oldest first (unused fields at their defaults). */
const ROOMS_BY_AGE: RoomData[] = [
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

/**
 * The rooms {@link FILTER_CASES} run over, in the order the suite creates
 * them: shuffled, so a store must sort by `createdAt`, not by arrival.
 * Treat them as read-only; create copies (`structuredClone`).
 */
export const FILTER_ROOMS: readonly RoomData[] = Object.freeze([3, 0, 7, 5, 1, 6, 4, 2].map((i) => ROOMS_BY_AGE[i] as RoomData));

const EVERY_ROOM: readonly string[] = ["orgx", "org:2", "org:1", "a5", "a4", "a3", "a2", "a1"];

/**
 * Every filter case of the suite: each `filter` over {@link FILTER_ROOMS}
 * keeps exactly `expected`, newest first.
 */
export const FILTER_CASES: readonly FilterCase[] = Object.freeze([
  { behaviour: "no filter keeps every room", filter: {}, expected: EVERY_ROOM },
  { behaviour: "userId keeps rooms whose usersAccesses has the user", filter: { userId: "alice" }, expected: ["org:1", "a3", "a1"] },
  { behaviour: "userId is case-sensitive", filter: { userId: "Alice" }, expected: [] },
  { behaviour: "userId unknown keeps nothing", filter: { userId: "dave" }, expected: [] },
  { behaviour: "groupIds keeps rooms whose groupsAccesses has a group", filter: { groupIds: ["eng"] }, expected: ["org:2", "a4", "a1"] },
  {
    behaviour: "groupIds with several groups keeps rooms of any",
    filter: { groupIds: ["eng", "ops"] },
    expected: ["org:2", "a4", "a2", "a1"],
  },
  {
    behaviour: "groupIds with a repeated group lists each room once",
    filter: { groupIds: ["eng", "eng"] },
    expected: ["org:2", "a4", "a1"],
  },
  { behaviour: "groupIds unknown keeps nothing", filter: { groupIds: ["nope"] }, expected: [] },
  { behaviour: "groupIds empty adds no condition", filter: { groupIds: [] }, expected: EVERY_ROOM },
  { behaviour: "userId OR groupIds", filter: { userId: "bob", groupIds: ["eng"] }, expected: ["org:2", "a4", "a3", "a2", "a1"] },
  { behaviour: "userId OR groupIds with an unknown user", filter: { userId: "dave", groupIds: ["ops"] }, expected: ["a4", "a2"] },
  { behaviour: "organizationId", filter: { organizationId: "acme" }, expected: ["org:2", "org:1", "a5", "a3", "a2"] },
  { behaviour: "organizationId default", filter: { organizationId: "default" }, expected: ["orgx", "a4", "a1"] },
  { behaviour: "organizationId unknown", filter: { organizationId: "Acme" }, expected: [] },
  { behaviour: "roomId exact", filter: { roomId: "a3" }, expected: ["a3"] },
  { behaviour: "roomId is case-sensitive", filter: { roomId: "A3" }, expected: [] },
  { behaviour: "roomId missing", filter: { roomId: "zz" }, expected: [] },
  { behaviour: "roomIdPrefix", filter: { roomIdPrefix: "org" }, expected: ["orgx", "org:2", "org:1"] },
  { behaviour: "roomIdPrefix is literal", filter: { roomIdPrefix: "org:" }, expected: ["org:2", "org:1"] },
  { behaviour: "roomIdPrefix with regex characters is literal", filter: { roomIdPrefix: "org." }, expected: [] },
  { behaviour: "roomIdPrefix empty keeps every room", filter: { roomIdPrefix: "" }, expected: EVERY_ROOM },
  { behaviour: "roomIdPrefix equal to an id keeps it", filter: { roomIdPrefix: "a3" }, expected: ["a3"] },
  { behaviour: "metadata string value matches exactly", filter: { metadata: [["status", "open"]] }, expected: ["org:1", "a3", "a1"] },
  { behaviour: "metadata value is case-sensitive", filter: { metadata: [["status", "Open"]] }, expected: ["a5"] },
  { behaviour: "metadata array value contains", filter: { metadata: [["tags", "y"]] }, expected: ["a3", "a1"] },
  { behaviour: "metadata array value, single element", filter: { metadata: [["tags", "z"]] }, expected: ["a4"] },
  { behaviour: "metadata unknown key", filter: { metadata: [["nope", "open"]] }, expected: [] },
  {
    behaviour: "metadata pairs are ANDed",
    filter: {
      metadata: [
        ["status", "open"],
        ["tags", "y"],
      ],
    },
    expected: ["a3", "a1"],
  },
  {
    behaviour: "metadata pairs are ANDed, narrower",
    filter: {
      metadata: [
        ["status", "open"],
        ["tags", "x"],
      ],
    },
    expected: ["a1"],
  },
  {
    behaviour: "metadata one key, two values, string value",
    filter: {
      metadata: [
        ["status", "open"],
        ["status", "closed"],
      ],
    },
    expected: [],
  },
  {
    behaviour: "metadata one key, two values, array value",
    filter: {
      metadata: [
        ["tags", "x"],
        ["tags", "y"],
      ],
    },
    expected: ["a1"],
  },
  { behaviour: "userId AND organizationId", filter: { userId: "alice", organizationId: "acme" }, expected: ["org:1", "a3"] },
  {
    behaviour: "userId AND metadata AND roomIdPrefix",
    filter: { userId: "alice", metadata: [["status", "open"]], roomIdPrefix: "a" },
    expected: ["a3", "a1"],
  },
  {
    behaviour: "groupIds AND organizationId AND roomIdPrefix",
    filter: { groupIds: ["eng"], organizationId: "acme", roomIdPrefix: "org:" },
    expected: ["org:2"],
  },
  { behaviour: "roomId AND userId", filter: { roomId: "a3", userId: "bob" }, expected: ["a3"] },
  { behaviour: "roomId AND a user without access", filter: { roomId: "a3", userId: "carol" }, expected: [] },
  { behaviour: "roomId AND a prefix it does not start with", filter: { roomId: "a3", roomIdPrefix: "org" }, expected: [] },
  {
    behaviour: "everything at once",
    filter: { userId: "bob", groupIds: ["eng"], organizationId: "acme", roomIdPrefix: "a", metadata: [["status", "open"]] },
    expected: ["a3"],
  },
]);

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeFilters(getStore: () => RoomStore): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
  });

  describe("list - filters", () => {
    beforeEach(async () => {
      for (const room of FILTER_ROOMS) await store.create(structuredClone(room));
    });

    for (const { behaviour, filter, expected } of FILTER_CASES) {
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
}
