/**
 * The conformance suite itself: its filter cases as data, and its optional
 * parts skipped (not silently passed) for a store without them.
 */
import { describe, expect, it } from "vitest";
import { compareIds } from "../../src/rooms/order.js";
import { matchesFilter } from "../rooms/filter-oracle.js";
import { MemoryStore } from "../../src/stores/memory/store.js";
import type { RoomStore } from "../../src/rooms/types.js";
import { FILTER_CASES, FILTER_ROOMS, testRoomStore } from "../../src/testing/index.js";

describe("FILTER_CASES", () => {
  it("FILTER_CASES - matchesFilter over FILTER_ROOMS keeps exactly the expected ids, newest first", () => {
    const newestFirst = [...FILTER_ROOMS].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || compareIds(b.id, a.id));
    expect(FILTER_CASES.length).toBeGreaterThan(30);
    for (const { behaviour, filter, expected } of FILTER_CASES) {
      const kept = newestFirst.filter((room) => matchesFilter(room, filter)).map((room) => room.id);
      expect(kept, behaviour).toEqual(expected);
    }
  });

  it("FILTER_ROOMS - are not created in age order, so arrival order cannot pass for sorting", () => {
    const times = FILTER_ROOMS.map((room) => room.createdAt.getTime());
    expect(times).not.toEqual([...times].sort((a, b) => a - b));
    expect(times).not.toEqual([...times].sort((a, b) => b - a));
  });
});

/** A store with only the required methods: no `rename`, no `getAccessRules`. */
function requiredPartsOnly(): RoomStore {
  const inner = new MemoryStore();
  return {
    get: (...args) => inner.get(...args),
    create: (...args) => inner.create(...args),
    update: (...args) => inner.update(...args),
    delete: (...args) => inner.delete(...args),
    list: (...args) => inner.list(...args),
    revokeTokens: (...args) => inner.revokeTokens(...args),
    getRevocation: (...args) => inner.getRevocation(...args),
    subscribe: (...args) => inner.subscribe(...args),
  };
}

// Its rename and getAccessRules tests are reported as skipped; the rest pass.
testRoomStore({ name: "A store without the optional parts", create: requiredPartsOnly });

/** A store whose `subscribeRevocations` exists but never delivers: it declares `revocationEvents: false`. */
function silentRevocations(): RoomStore {
  const inner = new MemoryStore();
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key === "subscribeRevocations") return () => () => undefined;
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

// Declared alone, `revocationEvents: false` must skip the subscribeRevocations
// test (it used to be dropped by the capability merge, so the test ran and failed).
testRoomStore({
  name: "A store declaring only revocationEvents: false",
  create: silentRevocations,
  capabilities: { revocationEvents: false },
});
