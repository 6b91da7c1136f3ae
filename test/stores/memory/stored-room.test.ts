import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveAccess } from "../../../src/permissions/resolve.js";
import { matchesFilter } from "../../rooms/filter-oracle.js";
import { cloneRoom } from "../../../src/rooms/patch.js";
import { plainRoomCopy } from "../../../src/rooms/copies.js";
import { StoredRoom } from "../../../src/stores/memory/stored-room.js";
import type { RoomData, RoomFilter } from "../../../src/rooms/types.js";
import { ID_POOL, accesses, defaultSet, identity, validSet } from "../../permissions/arbitraries.js";

const VALUES = ["x", "y", "__proto__"];
const metaValue = fc.oneof(fc.constantFrom(...VALUES), fc.array(fc.constantFrom(...VALUES), { maxLength: 3 }));

const room: fc.Arbitrary<RoomData> = fc
  .record({
    id: fc.constantFrom("a", "ab", "b", "__proto__"),
    createdAt: fc.integer({ min: -8.64e15, max: 8.64e15 }),
    lastConnectionAt: fc.option(fc.integer({ min: 0, max: 8.64e15 }), { nil: undefined }),
    organizationId: fc.constantFrom("default", "acme"),
    defaultAccesses: defaultSet,
    usersAccesses: accesses(validSet),
    groupsAccesses: accesses(validSet),
    metadata: fc
      .uniqueArray(fc.tuple(fc.constantFrom("status", "tags", "__proto__", "constructor"), metaValue), {
        selector: ([k]) => k,
        maxLength: 4,
      })
      .map((entries) => Object.fromEntries(entries) as Record<string, string | string[]>),
  })
  .map(({ createdAt, lastConnectionAt, ...rest }) => ({
    type: "room" as const,
    id: rest.id,
    createdAt: new Date(createdAt),
    ...(lastConnectionAt !== undefined && { lastConnectionAt: new Date(lastConnectionAt) }),
    organizationId: rest.organizationId,
    defaultAccesses: rest.defaultAccesses as RoomData["defaultAccesses"],
    usersAccesses: rest.usersAccesses as RoomData["usersAccesses"],
    groupsAccesses: rest.groupsAccesses as RoomData["groupsAccesses"],
    metadata: rest.metadata,
  }));

const filter: fc.Arbitrary<RoomFilter> = fc.record(
  {
    roomId: fc.constantFrom("a", "b", "__proto__"),
    roomIdPrefix: fc.constantFrom("", "a", "__"),
    organizationId: fc.constantFrom("default", "acme"),
    userId: fc.constantFrom(...ID_POOL),
    groupIds: fc.array(fc.constantFrom(...ID_POOL, "nobody"), { maxLength: 3 }),
    metadata: fc.array(fc.tuple(fc.constantFrom("status", "tags", "__proto__", "missing"), fc.constantFrom(...VALUES)), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

describe("StoredRoom", () => {
  it("copy - property: the parsed-JSON shape of the room it stored, mutable and unshared", () => {
    fc.assert(
      fc.property(room, (input) => {
        const stored = new StoredRoom(input);
        const copy = stored.copy();
        expect(isDeepStrictEqual(copy, plainRoomCopy(input))).toBe(true);
        expect(isDeepStrictEqual(stored.toRoomData(), cloneRoom(input))).toBe(true);
        // Writing to one copy changes neither the stored room nor the next copy.
        copy.usersAccesses["mallory"] = ["room:write"];
        for (const list of Object.values(copy.groupsAccesses)) list.push("room:write");
        copy.defaultAccesses.push("room:read");
        copy.createdAt.setTime(0);
        expect(isDeepStrictEqual(stored.copy(), plainRoomCopy(input))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("constructor - property: later writes to the input change nothing stored", () => {
    fc.assert(
      fc.property(room, (input) => {
        const before = plainRoomCopy(input);
        const stored = new StoredRoom(input);
        for (const id of Object.keys(input.usersAccesses)) input.usersAccesses[id]!.push("room:read");
        input.metadata["status"] = "changed";
        (input.defaultAccesses as string[]).push("room:read");
        expect(isDeepStrictEqual(stored.copy(), before)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("matches - property: the same answer as matchesFilter on the RoomData", () => {
    fc.assert(
      fc.property(room, filter, (input, f) => {
        expect(new StoredRoom(input).matches(f)).toBe(matchesFilter(input, f));
      }),
      { numRuns: 3000 },
    );
  });

  it("resolveAccess - property: the stored room's access rules decide as its RoomData does", () => {
    fc.assert(
      fc.property(room, identity, (input, subject) => {
        const stored = new StoredRoom(input);
        const rules = stored.accessRules();
        // Three times: the first sighting of the frozen rules reads them, the second encodes them, the third reads the encoding.
        for (let i = 0; i < 3; i++) expect(resolveAccess(rules, subject)).toEqual(resolveAccess(input, subject));
      }),
      { numRuns: 1000 },
    );
  });

  it("ids / eachTerm - property: the access ids in key order and each distinct metadata term once", () => {
    fc.assert(
      fc.property(room, (input) => {
        const stored = new StoredRoom(input);
        expect(stored.ids("users")).toEqual(Object.keys(input.usersAccesses));
        expect(stored.ids("groups")).toEqual(Object.keys(input.groupsAccesses));
        const terms: string[] = [];
        stored.eachTerm((key, value) => terms.push(JSON.stringify([key, value])));
        const expected = Object.entries(input.metadata).flatMap(([key, value]) =>
          [...new Set(typeof value === "string" ? [value] : value)].map((v) => JSON.stringify([key, v])),
        );
        expect(terms).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("accessRules - one deeply frozen object of own data properties, null-prototype maps whose reserved ids are own keys", () => {
    const stored = new StoredRoom({
      type: "room",
      id: "r",
      createdAt: new Date(0),
      organizationId: "default",
      defaultAccesses: ["room:read"],
      usersAccesses: Object.fromEntries([["__proto__", ["room:write"]]]),
      groupsAccesses: {},
      metadata: {},
    });
    const rules = stored.accessRules();
    expect(stored.accessRules()).toBe(rules);
    // Own data properties: a spread or JSON copy of the rules keeps the maps.
    expect({ ...rules }).toEqual({
      defaultAccesses: ["room:read"],
      usersAccesses: rules.usersAccesses,
      groupsAccesses: {},
      organizationId: "default",
    });
    expect(JSON.parse(JSON.stringify(rules))).toEqual({
      defaultAccesses: ["room:read"],
      usersAccesses: { ["__proto__"]: ["room:write"] },
      groupsAccesses: {},
      organizationId: "default",
    });
    const users = rules.usersAccesses!;
    expect(Object.getPrototypeOf(users)).toBeNull();
    expect(Object.hasOwn(users, "__proto__")).toBe(true);
    for (const frozen of [rules, users, users["__proto__"], rules.defaultAccesses, rules.groupsAccesses])
      expect(Object.isFrozen(frozen)).toBe(true);
    expect(() => {
      (users as Record<string, string[]>)["eve"] = ["room:write"];
    }).toThrow(TypeError);
  });
});
