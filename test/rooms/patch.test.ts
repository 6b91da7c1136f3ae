import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RoomPermission } from "../../src/permissions/scopes.js";
import { applyRoomPatch, cloneRoom } from "../../src/rooms/patch.js";
import type { RoomData, RoomPatch } from "../../src/rooms/types.js";
import { at, makeRoom } from "../../src/testing/index.js";

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

const room = (): RoomData =>
  makeRoom("r", {
    createdAt: at(1),
    lastConnectionAt: at(2),
    organizationId: "acme",
    defaultAccesses: ["room:write"],
    usersAccesses: { alice: ["*:write"], bob: ["*:read"] },
    groupsAccesses: { eng: ["*:read"] },
    metadata: { status: "open", tags: ["a", "b"] },
  });

describe("applyRoomPatch", () => {
  it("applyRoomPatch - a value replaces the key, null removes it, absent keys stay", () => {
    const next = applyRoomPatch(room(), {
      usersAccesses: { alice: ["*:read"], bob: null, carol: ["*:write"] },
      groupsAccesses: { eng: null, ops: ["*:write"] },
      metadata: { status: "closed", tags: null, owner: "carol" },
    });
    expect(next).toEqual({
      ...room(),
      usersAccesses: { alice: ["*:read"], carol: ["*:write"] },
      groupsAccesses: { ops: ["*:write"] },
      metadata: { status: "closed", owner: "carol" },
    });
  });

  it("applyRoomPatch - defaultAccesses is replaced whole and null resets it to []", () => {
    expect(applyRoomPatch(room(), { defaultAccesses: ["*:read", "storage:write"] }).defaultAccesses).toEqual(["*:read", "storage:write"]);
    expect(applyRoomPatch(room(), { defaultAccesses: null }).defaultAccesses).toEqual([]);
  });

  it("applyRoomPatch - {} changes nothing and keeps lastConnectionAt", () => {
    expect(applyRoomPatch(room(), {})).toEqual(room());
    const without = makeRoom("r");
    expect("lastConnectionAt" in applyRoomPatch(without, {})).toBe(false);
  });

  it("applyRoomPatch - a key whose value is undefined is treated as absent", () => {
    const patch = { usersAccesses: { alice: undefined } } as unknown as RoomPatch;
    expect(applyRoomPatch(room(), patch)).toEqual(room());
  });

  it("applyRoomPatch - mutates neither the room nor the patch, even frozen", () => {
    const input = deepFreeze(room());
    const patch = deepFreeze<RoomPatch>({
      defaultAccesses: ["*:read"],
      usersAccesses: { alice: null, dave: ["*:read"] },
      metadata: { tags: ["z"] },
    });
    const next = applyRoomPatch(input, patch);
    expect(input).toEqual(room());
    next.usersAccesses["dave"]?.push("storage:read");
    (next.metadata["tags"] as string[]).push("y");
    next.defaultAccesses.push("*:write");
    expect(patch).toEqual({ defaultAccesses: ["*:read"], usersAccesses: { alice: null, dave: ["*:read"] }, metadata: { tags: ["z"] } });
  });

  it("applyRoomPatch - shares no array, map or date with the input", () => {
    const input = room();
    const next = applyRoomPatch(input, {});
    expect(next.defaultAccesses).not.toBe(input.defaultAccesses);
    expect(next.usersAccesses).not.toBe(input.usersAccesses);
    expect(next.usersAccesses["alice"]).not.toBe(input.usersAccesses["alice"]);
    expect(next.metadata["tags"]).not.toBe(input.metadata["tags"]);
    expect(next.createdAt).not.toBe(input.createdAt);
  });

  it("applyRoomPatch - __proto__ and constructor are ordinary keys", () => {
    const input = makeRoom("r", { usersAccesses: Object.fromEntries([["constructor", ["*:read"]]]) });
    const next = applyRoomPatch(input, {
      usersAccesses: Object.fromEntries([
        ["__proto__", ["*:write"]],
        ["constructor", null],
      ]),
      metadata: Object.fromEntries([
        ["__proto__", "x"],
        ["toString", ["y"]],
      ]),
    });
    expect(Object.keys(next.usersAccesses)).toEqual(["__proto__"]);
    expect(next.usersAccesses["__proto__"]).toEqual(["*:write"]);
    expect(Object.getPrototypeOf(next.usersAccesses)).toBeNull();
    expect(JSON.stringify(next.metadata)).toBe('{"__proto__":"x","toString":["y"]}');
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
  });

  it("applyRoomPatch - agrees with a Map-based model", () => {
    const id = fc.constantFrom("a", "b", "c", "__proto__", "constructor", "toString");
    const scopes = fc.constantFrom<RoomPermission>(["*:read"], ["*:write"], ["room:read", "room:presence:write"]);
    const metaValue = fc.oneof(fc.string({ maxLength: 3 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }));
    const entries = <T>(value: fc.Arbitrary<T>) => fc.uniqueArray(fc.tuple(id, value), { selector: ([key]) => key, maxLength: 6 });
    const arbitraryRoom = fc.record({
      defaultAccesses: fc.constantFrom<RoomPermission>([], ["*:read"]),
      users: entries(scopes),
      groups: entries(scopes),
      metadata: entries(metaValue),
    });
    const arbitraryPatch = fc.record(
      {
        defaultAccesses: fc.option(scopes, { nil: null }),
        usersAccesses: entries(fc.option(scopes, { nil: null })),
        groupsAccesses: entries(fc.option(scopes, { nil: null })),
        metadata: entries(fc.option(metaValue, { nil: null })),
      },
      { requiredKeys: [] },
    );
    const model = <T>(base: [string, T][], patch: [string, T | null][] | undefined) => {
      const map = new Map(base);
      for (const [key, value] of patch ?? []) {
        if (value === null) map.delete(key);
        else map.set(key, value);
      }
      return [...map].sort(([a], [b]) => (a < b ? -1 : 1));
    };
    const sorted = (record: Record<string, unknown>) =>
      Object.keys(record)
        .sort()
        .map((key) => [key, record[key]]);

    fc.assert(
      fc.property(arbitraryRoom, arbitraryPatch, (r, p) => {
        const input = makeRoom("r", {
          defaultAccesses: r.defaultAccesses,
          usersAccesses: Object.fromEntries(r.users),
          groupsAccesses: Object.fromEntries(r.groups),
          metadata: Object.fromEntries(r.metadata),
        });
        const patch: RoomPatch = {};
        if (p.defaultAccesses !== undefined) patch.defaultAccesses = p.defaultAccesses;
        if (p.usersAccesses) patch.usersAccesses = Object.fromEntries(p.usersAccesses);
        if (p.groupsAccesses) patch.groupsAccesses = Object.fromEntries(p.groupsAccesses);
        if (p.metadata) patch.metadata = Object.fromEntries(p.metadata);
        const next = applyRoomPatch(input, patch);
        expect(next.defaultAccesses).toEqual(p.defaultAccesses === undefined ? r.defaultAccesses : (p.defaultAccesses ?? []));
        expect(sorted(next.usersAccesses)).toEqual(model(r.users, p.usersAccesses));
        expect(sorted(next.groupsAccesses)).toEqual(model(r.groups, p.groupsAccesses));
        expect(sorted(next.metadata)).toEqual(model(r.metadata, p.metadata));
      }),
      { numRuns: 500 },
    );
  });
});

describe("cloneRoom", () => {
  it("cloneRoom - is deep and equal", () => {
    const input = room();
    const copy = cloneRoom(input);
    expect(copy).toEqual(input);
    copy.createdAt.setTime(0);
    copy.lastConnectionAt?.setTime(0);
    copy.usersAccesses["alice"]?.push("storage:read");
    (copy.metadata["tags"] as string[]).push("c");
    copy.defaultAccesses.length = 0;
    expect(input).toEqual(room());
  });

  it("cloneRoom - builds null-prototype maps that JSON and Object.keys show in full", () => {
    const input = makeRoom("r", {
      metadata: Object.fromEntries([
        ["__proto__", "p"],
        ["hasOwnProperty", "h"],
      ]),
    });
    const copy = cloneRoom(input);
    for (const map of [copy.usersAccesses, copy.groupsAccesses, copy.metadata]) {
      expect(Object.getPrototypeOf(map)).toBeNull();
    }
    expect(Object.keys(copy.metadata)).toEqual(["__proto__", "hasOwnProperty"]);
    expect(JSON.parse(JSON.stringify(copy)).metadata).toEqual(input.metadata);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it("cloneRoom - ignores inherited keys of a source map", () => {
    const inherited = Object.create({ leaked: ["*:write"] }) as Record<string, RoomPermission>;
    inherited["own"] = ["*:read"];
    expect(Object.keys(cloneRoom(makeRoom("r", { usersAccesses: inherited })).usersAccesses)).toEqual(["own"]);
  });
});
