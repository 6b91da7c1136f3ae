/**
 * rename: the optional operation behind `updateRoomId`.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { RoomStore } from "../../rooms/types.js";
import { at, ids, makeRoom, recordEvents } from "./helpers.js";
import type { StoreCapabilities } from "./helpers.js";

const MISDECLARED = "capabilities.rename is declared, but the store has no rename";

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeRename(getStore: () => RoomStore, capabilities: StoreCapabilities): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
  });

  describe("rename (optional: updateRoomId)", () => {
    it.skipIf(!capabilities.rename)("rename - moves the room to the new id and keeps everything else", async () => {
      if (store.rename === undefined) throw new Error(MISDECLARED);
      const room = makeRoom("draft", {
        createdAt: at(3),
        usersAccesses: { alice: ["*:write"] },
        groupsAccesses: { eng: ["*:read"] },
        metadata: { tags: ["a", "b"] },
      });
      await store.create(room);
      await store.create(makeRoom("other", { createdAt: at(5), usersAccesses: { alice: ["*:read"] } }));
      const moved = await store.rename("draft", "final");
      expect(moved).toEqual({ ...room, id: "final" });
      expect(await store.get("draft")).toBeNull();
      expect(await store.get("final")).toEqual({ ...room, id: "final" });
      expect(await ids(store, { userId: "alice" })).toEqual(["other", "final"]);
      expect(await ids(store, { metadata: [["tags", "b"]] })).toEqual(["final"]);
    });

    it.skipIf(!capabilities.rename)("rename - a missing room is not-found; a taken id is exists and nothing changes", async () => {
      if (store.rename === undefined) throw new Error(MISDECLARED);
      await store.create(makeRoom("a", { usersAccesses: { alice: ["*:read"] } }));
      await store.create(makeRoom("b", { createdAt: at(1) }));
      expect(await store.rename("missing", "c")).toBe("not-found");
      expect(await store.rename("a", "b")).toBe("exists");
      expect(await store.get("a")).toEqual(makeRoom("a", { usersAccesses: { alice: ["*:read"] } }));
      expect(await store.get("b")).toEqual(makeRoom("b", { createdAt: at(1) }));
      expect(await store.get("c")).toBeNull();
    });

    it.skipIf(!capabilities.rename)("rename - listeners receive deleted for the old id, then created for the new one", async () => {
      if (store.rename === undefined) throw new Error(MISDECLARED);
      await store.create(makeRoom("a"));
      const { events, unsubscribe } = recordEvents(store);
      await store.rename("a", "b");
      await vi.waitFor(() => expect(events).toHaveLength(2));
      expect(events).toEqual([
        { type: "deleted", roomId: "a", room: null },
        { type: "created", roomId: "b", room: makeRoom("b") },
      ]);
      unsubscribe();
    });
  });
}
