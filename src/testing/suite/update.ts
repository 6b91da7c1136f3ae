/**
 * update: the patch rules (null removes, defaultAccesses whole), assert, atomicity.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { RoomStore } from "../../rooms/types.js";
import { at, ids, makeRoom } from "./helpers.js";

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeUpdate(getStore: () => RoomStore): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
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

    it("update - null for a whole map clears it, and the filters forget it", async () => {
      const room = await store.update("r", { usersAccesses: null, groupsAccesses: null, metadata: null });
      expect(room).toEqual({ ...base(), usersAccesses: {}, groupsAccesses: {}, metadata: {} });
      expect(await store.get("r")).toEqual(room);
      expect(await ids(store, { userId: "alice" })).toEqual([]);
      expect(await ids(store, { groupIds: ["eng"] })).toEqual([]);
      expect(await ids(store, { metadata: [["status", "open"]] })).toEqual([]);
    });

    it("update - clearing one map with null leaves the others and applies their keys in the same write", async () => {
      const room = await store.update("r", { usersAccesses: null, groupsAccesses: { sales: ["*:read"] }, metadata: { owner: null } });
      expect(room).toEqual({
        ...base(),
        usersAccesses: {},
        groupsAccesses: { eng: ["*:read"], ops: ["*:write"], sales: ["*:read"] },
        metadata: { status: "open", tags: ["a", "b"] },
      });
      expect(await store.get("r")).toEqual(room);
      expect(await ids(store, { userId: "bob" })).toEqual([]);
      expect(await ids(store, { groupIds: ["sales"] })).toEqual(["r"]);
    });

    it("update - a cleared map takes new keys afterwards", async () => {
      await store.update("r", { usersAccesses: null });
      const room = await store.update("r", { usersAccesses: { carol: ["*:read"] } });
      expect(room?.usersAccesses).toEqual({ carol: ["*:read"] });
      expect(await ids(store, { userId: "carol" })).toEqual(["r"]);
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
}
