import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RoomPermission } from "../../src/permissions/scopes.js";
import { roomChanges, type RoomChanges } from "../../src/rooms/journal.js";
import { applyRoomPatch } from "../../src/rooms/patch.js";
import type { RoomData, RoomPatch } from "../../src/rooms/types.js";
import { at, makeRoom } from "../../src/testing/index.js";

const room = (): RoomData =>
  makeRoom("r", {
    createdAt: at(1),
    defaultAccesses: ["room:read"],
    usersAccesses: JSON.parse('{"alice":["*:write"],"bob":["*:read"],"__proto__":["*:read"]}') as Record<string, RoomPermission>,
    groupsAccesses: { eng: ["*:read"] },
    metadata: { status: "open", tags: ["a", "b"] },
  });

/** Rebuilds the "after" maps from "before" and the changes: the changes must say everything that differs. */
function replay(before: RoomData, changes: RoomChanges | null): Omit<RoomData, "createdAt" | "lastConnectionAt"> {
  const patch: RoomPatch = {};
  if (changes?.defaultAccesses) patch.defaultAccesses = changes.defaultAccesses.after;
  for (const field of ["usersAccesses", "groupsAccesses", "metadata"] as const) {
    const entries = changes?.[field];
    if (entries === undefined) continue;
    const map: Record<string, never> = Object.create(null);
    for (const key of Object.keys(entries)) map[key] = (entries[key]?.after ?? null) as never;
    patch[field] = map;
  }
  return applyRoomPatch(before, patch);
}

describe("roomChanges", () => {
  it("roomChanges - names each changed entry with its value before and after, and nothing else", () => {
    const before = room();
    const after = applyRoomPatch(before, {
      usersAccesses: { alice: ["*:read"], bob: null, carol: ["*:write"] },
      metadata: { tags: ["a", "b"] },
    });
    const changes = roomChanges(before, after);
    expect(changes).toEqual({
      usersAccesses: Object.assign(Object.create(null), {
        alice: { before: ["*:write"], after: ["*:read"] },
        bob: { before: ["*:read"], after: null },
        carol: { before: null, after: ["*:write"] },
      }),
    });
  });

  it("roomChanges - null when nothing changed; __proto__ is an ordinary key", () => {
    const before = room();
    expect(roomChanges(before, room())).toBeNull();
    const after = applyRoomPatch(before, { usersAccesses: JSON.parse('{"__proto__":null}') as Record<string, null> });
    expect(Object.keys(roomChanges(before, after)?.usersAccesses ?? {})).toEqual(["__proto__"]);
  });

  it("roomChanges - replaying the changes on the room before gives the room after (property)", () => {
    const key = fc.constantFrom("alice", "bob", "carol", "__proto__", "constructor");
    const scopes = fc.constantFrom<RoomPermission>(["*:read"], ["*:write"], ["room:read", "comments:write"] as RoomPermission);
    const entries = fc.dictionary(key, fc.option(scopes), { maxKeys: 4, noNullPrototype: false });
    const patch = fc.record(
      {
        defaultAccesses: fc.option(scopes),
        usersAccesses: entries,
        groupsAccesses: entries,
        metadata: fc.dictionary(
          key,
          fc.option(fc.oneof(fc.string({ maxLength: 3 }), fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }))),
          { maxKeys: 3 },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(patch, (p) => {
        const nullProto = (m: Record<string, unknown> | undefined) => (m === undefined ? undefined : Object.assign(Object.create(null), m));
        const before = room();
        const after = applyRoomPatch(before, {
          ...(p.defaultAccesses !== undefined ? { defaultAccesses: p.defaultAccesses } : {}),
          ...(p.usersAccesses ? { usersAccesses: nullProto(p.usersAccesses) } : {}),
          ...(p.groupsAccesses ? { groupsAccesses: nullProto(p.groupsAccesses) } : {}),
          ...(p.metadata ? { metadata: nullProto(p.metadata) } : {}),
        } as RoomPatch);
        const changes = roomChanges(before, after);
        const replayed = replay(before, changes);
        expect(JSON.stringify(replayed)).toEqual(JSON.stringify(after));
        if (changes === null) expect(JSON.stringify(after)).toEqual(JSON.stringify(before));
      }),
      { numRuns: 300 },
    );
  });
});
