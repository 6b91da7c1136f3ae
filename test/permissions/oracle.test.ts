/**
 * Oracle: roomgate's resolution must equal @liveblocks/core 3.24.2's on every
 * generated valid room and identity. @liveblocks/core is a dev dependency only.
 */
import {
  type Permission as CorePermission,
  hasPermissionAccess,
  mergeRoomPermissionScopes,
  permissionMatrixFromScopes,
} from "@liveblocks/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveAccess } from "../../src/index.js";
import { deepFrozen, identity, room } from "./arbitraries.js";

describe("resolveAccess oracle", () => {
  it("matches @liveblocks/core - matrix, canEnter, isReadOnly and scopes on 10,000 rooms, plain and frozen", () => {
    let compared = 0;
    fc.assert(
      fc.property(room, identity, (r, who) => {
        const frozen = deepFrozen(r);
        const groups = who.groupIds.filter((g) => Object.hasOwn(r.groupsAccesses, g)).map((g) => r.groupsAccesses[g] as CorePermission[]);
        const userAccesses = Object.hasOwn(r.usersAccesses, who.userId) ? (r.usersAccesses[who.userId] as CorePermission[]) : [];
        const merged = mergeRoomPermissionScopes({
          defaultAccesses: r.defaultAccesses as CorePermission[],
          groupsAccesses: groups,
          userAccesses,
        });
        const { personal: _personal, ...expected } = permissionMatrixFromScopes(merged);

        // Frozen, the room takes the cached path (as MemoryStore's records do); twice, so the cache answers.
        const decision = resolveAccess(r, who);
        expect(resolveAccess(frozen, who)).toBe(decision);
        expect(resolveAccess(frozen, who)).toBe(decision);
        expect(decision.matrix).toEqual(expected);
        expect(decision.scopes).toEqual(merged);
        expect(decision.canEnter).toBe(hasPermissionAccess(expected, "room", "read"));
        expect(decision.isReadOnly).toBe(!hasPermissionAccess(expected, "storage", "write"));
        expect(decision.canComment).toBe(hasPermissionAccess(expected, "comments", "write"));
        compared++;
      }),
      { numRuns: 10_000 },
    );
    expect(compared).toBe(10_000);
  });
});
