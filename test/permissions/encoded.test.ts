/**
 * The encoding cache of frozen rooms: a cached answer must always equal the
 * answer read afresh (`resolveUncached`, itself checked against
 * @liveblocks/core in oracle.test.ts), and nothing that can still change is
 * ever cached.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AccessIdentity, resolveAccess } from "../../src/index.js";
import { encodedRulesOf } from "../../src/permissions/encoded.js";
import { resolveUncached } from "../../src/permissions/resolve.js";
import { MemoryStore } from "../../src/stores/memory/store.js";
import { strongestOf } from "../../src/permissions/scopes.js";
import { ID_POOL, deepFrozen, defaultSet, identity, room, validSet } from "./arbitraries.js";

/** Identities with up to 12 groups, so both group-matching strategies (room's few groups, user's list) run. */
const manyGroups: fc.Arbitrary<AccessIdentity> = fc.record({
  userId: fc.constantFrom(...ID_POOL),
  groupIds: fc.uniqueArray(fc.constantFrom(...ID_POOL, "nobody", "designers"), { maxLength: 12 }),
});

const anyIdentity = fc.oneof(identity, manyGroups);

describe("resolveAccess encoding cache", () => {
  it("property - a frozen room's answers equal the uncached ones, before and after it is encoded (second sighting)", () => {
    fc.assert(
      fc.property(room, fc.array(anyIdentity, { minLength: 1, maxLength: 4 }), (r, who) => {
        const frozen = deepFrozen(r);
        for (let pass = 0; pass < 3; pass++) {
          for (const w of who) expect(resolveAccess(frozen, w)).toBe(resolveUncached(r, w));
          expect(encodedRulesOf(frozen) !== undefined).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("property - a new frozen version of a room gets a fresh encoding", () => {
    fc.assert(
      fc.property(room, room, anyIdentity, (before, after, who) => {
        const first = deepFrozen(before);
        resolveAccess(first, who);
        resolveAccess(first, who);
        const second = deepFrozen(after);
        expect(resolveAccess(second, who)).toBe(resolveUncached(after, who));
        expect(resolveAccess(second, who)).toBe(resolveUncached(after, who));
        // The first version keeps its own answer.
        expect(resolveAccess(first, who)).toBe(resolveUncached(before, who));
      }),
      { numRuns: 1000 },
    );
  });

  it("property - an unfrozen room mutated between calls is read afresh", () => {
    fc.assert(
      fc.property(room, anyIdentity, defaultSet, validSet, validSet, (r, who, defaults, userList, groupList) => {
        const rules = {
          defaultAccesses: [...r.defaultAccesses],
          usersAccesses: { ...r.usersAccesses },
          groupsAccesses: { ...r.groupsAccesses },
        };
        expect(resolveAccess(rules, who)).toBe(resolveUncached(rules, who));
        expect(resolveAccess(rules, who)).toBe(resolveUncached(rules, who));
        rules.defaultAccesses.splice(0, rules.defaultAccesses.length, ...defaults);
        rules.usersAccesses[who.userId] = userList;
        const group = who.groupIds?.[0];
        if (group !== undefined) rules.groupsAccesses[group] = groupList;
        expect(resolveAccess(rules, who)).toBe(resolveUncached(rules, who));
      }),
      { numRuns: 1000 },
    );
  });

  it("property - a frozen room whose user list is not frozen follows that list's mutation", () => {
    fc.assert(
      fc.property(room, anyIdentity, validSet, validSet, (r, who, before, after) => {
        const list = [...before];
        const frozen = deepFrozen(r);
        const rules = Object.freeze({ ...frozen, usersAccesses: Object.freeze({ ...frozen.usersAccesses, [who.userId]: list }) });
        expect(resolveAccess(rules, who)).toBe(resolveUncached(rules, who));
        expect(resolveAccess(rules, who)).toBe(resolveUncached(rules, who));
        list.splice(0, list.length, ...after);
        expect(resolveAccess(rules, who)).toBe(resolveUncached(rules, who));
      }),
      { numRuns: 1000 },
    );
  });

  it("property - an unfrozen room whose frozen maps are swapped for others is read afresh", () => {
    fc.assert(
      fc.property(room, room, anyIdentity, (before, after, who) => {
        const rules: { -readonly [K in keyof typeof before]: (typeof before)[K] } = { ...deepFrozen(before) };
        expect(resolveAccess(rules, who)).toBe(resolveUncached(before, who));
        expect(resolveAccess(rules, who)).toBe(resolveUncached(before, who));
        const next = deepFrozen(after);
        rules.defaultAccesses = next.defaultAccesses;
        rules.usersAccesses = next.usersAccesses;
        rules.groupsAccesses = next.groupsAccesses;
        expect(resolveAccess(rules, who)).toBe(resolveUncached(after, who));
      }),
      { numRuns: 1000 },
    );
  });

  it("property - a frozen room whose groups map is not frozen follows an entry added to it", () => {
    fc.assert(
      fc.property(room, manyGroups, validSet, (r, who, added) => {
        const frozen = deepFrozen(r);
        const groupsAccesses: Record<string, readonly string[]> = { ...frozen.groupsAccesses };
        const rules = Object.freeze({ ...frozen, groupsAccesses });
        expect(resolveAccess(rules, who)).toBe(resolveUncached(rules, who));
        expect(resolveAccess(rules, who)).toBe(resolveUncached(rules, who));
        for (const id of who.groupIds ?? []) groupsAccesses[id] = Object.freeze([...added]);
        expect(resolveAccess(rules, who)).toBe(resolveUncached(rules, who));
      }),
      { numRuns: 1000 },
    );
  });

  it("accessor - a frozen map with a getter is never cached", () => {
    // Frozen lists, so only the getter itself can keep it out of the cache.
    let scopes: readonly string[] = Object.freeze(["room:write"]);
    const usersAccesses = Object.freeze(Object.defineProperty({}, "alice", { get: () => scopes, enumerable: true }));
    const rules = Object.freeze({ defaultAccesses: Object.freeze([]), usersAccesses });
    // Twice: a frozen object is encoded on its second sighting.
    expect(resolveAccess(rules, { userId: "alice" }).scopes).toEqual(["*:write"]);
    expect(resolveAccess(rules, { userId: "alice" }).scopes).toEqual(["*:write"]);
    scopes = Object.freeze(["room:read"]);
    expect(resolveAccess(rules, { userId: "alice" }).scopes).toEqual(["*:read"]);
  });

  it("reserved ids - __proto__ and constructor entries are found, inherited names are not", () => {
    const rules = deepFrozen({
      defaultAccesses: [],
      usersAccesses: Object.fromEntries([["__proto__", ["room:write"]]]),
      groupsAccesses: Object.fromEntries([["constructor", ["room:read"]]]),
    });
    expect(resolveAccess(rules, { userId: "__proto__" }).scopes).toEqual(["*:write"]);
    expect(resolveAccess(rules, { userId: "toString", groupIds: ["constructor"] }).scopes).toEqual(["*:read"]);
    expect(resolveAccess(rules, { userId: "toString", groupIds: ["hasOwnProperty", "valueOf"] }).canEnter).toBe(false);
  });

  it("early stop - a group granting more, later in the user's list, still counts", () => {
    const groupsAccesses: Record<string, string[]> = {};
    for (let i = 0; i < 20; i++) groupsAccesses[`g${i}`] = ["room:read"];
    groupsAccesses["g19"] = ["room:write", "comments:read"];
    const rules = deepFrozen({ defaultAccesses: [], usersAccesses: {}, groupsAccesses });
    const groupIds = Array.from({ length: 20 }, (_, i) => `g${i}`);
    expect(resolveAccess(rules, { userId: "u", groupIds }).scopes).toEqual(["*:write", "comments:read"]);
    expect(resolveAccess(rules, { userId: "u", groupIds: groupIds.slice(0, 19) }).scopes).toEqual(["*:read"]);
  });
});

describe("store contract", () => {
  it("MemoryStore - getAccessRules hands out one deeply frozen object per room version, so it is encoded once", async () => {
    const store = new MemoryStore();
    const subject = { userId: "alice", groupIds: ["eng"] };
    await store.create({
      type: "room",
      id: "r",
      createdAt: new Date(0),
      organizationId: "default",
      defaultAccesses: ["room:read"],
      usersAccesses: { alice: ["room:write"] },
      groupsAccesses: { eng: ["room:read", "comments:write"] },
      metadata: {},
    });
    const first = (await store.getAccessRules!("r", subject))!;
    expect(await store.getAccessRules!("r", subject)).toBe(first);
    for (const part of [first, first.defaultAccesses, first.usersAccesses, first.usersAccesses!["alice"], first.groupsAccesses]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(encodedRulesOf(first)).toBeUndefined(); // first sighting
    const encoded = encodedRulesOf(first);
    expect(encoded).toBeDefined();
    expect(encodedRulesOf(first)).toBe(encoded);
    expect(resolveAccess(first, subject).scopes).toEqual(["*:write"]);

    await store.update("r", { usersAccesses: { alice: null } });
    const second = (await store.getAccessRules!("r", subject))!;
    expect(second).not.toBe(first);
    expect(resolveAccess(second, subject).scopes).toEqual(["*:read", "comments:write"]);
  });
});

describe("strongestOf", () => {
  it("property - per resource the higher level, as a field-by-field loop computes it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xfff }), fc.integer({ min: 0, max: 0xfff }), (a, b) => {
        let expected = 0;
        for (let shift = 0; shift < 12; shift += 2) expected |= Math.max((a >> shift) & 3, (b >> shift) & 3) << shift;
        expect(strongestOf(a, b)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });
});
