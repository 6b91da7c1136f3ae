/**
 * get, create and delete: the basic contract of each method.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { RoomStore } from "../../rooms/types.js";
import { at, ids, makeRoom } from "./helpers.js";

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeCrud(getStore: () => RoomStore): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
  });

  describe("get", () => {
    it("get - a missing room resolves to null", async () => {
      expect(await store.get("missing")).toBeNull();
    });

    it("get - returns the room as it was created", async () => {
      const room = makeRoom("r", {
        createdAt: new Date("2024-05-06T07:08:09.123Z"),
        lastConnectionAt: new Date("2024-05-07T00:00:00.456Z"),
        organizationId: "acme",
        defaultAccesses: ["room:read", "room:presence:write"],
        usersAccesses: { alice: ["*:write"], bob: ["*:read", "comments:write"] },
        groupsAccesses: { eng: ["room:write"] },
        metadata: { status: "open", tags: ["a", "b"] },
      });
      await store.create(room);
      const stored = await store.get("r");
      expect(stored).toEqual(room);
      expect(stored?.createdAt).toBeInstanceOf(Date);
      expect(stored?.lastConnectionAt).toBeInstanceOf(Date);
    });

    it("get - a room without lastConnectionAt has none", async () => {
      await store.create(makeRoom("r"));
      const stored = await store.get("r");
      expect(stored?.lastConnectionAt).toBeUndefined();
      expect(stored !== null && "lastConnectionAt" in stored).toBe(false);
    });
  });

  describe("create", () => {
    it("create - stores the room and resolves created: true", async () => {
      const room = makeRoom("r", { usersAccesses: { alice: ["*:write"] } });
      const result = await store.create(room);
      expect(result.created).toBe(true);
      expect(result.room).toEqual(room);
      expect(await store.get("r")).toEqual(room);
    });

    it("create - an existing id resolves to the existing room and created: false", async () => {
      const first = makeRoom("r", { metadata: { v: "1" } });
      await store.create(first);
      const result = await store.create(makeRoom("r", { metadata: { v: "2" }, createdAt: at(9) }));
      expect(result).toEqual({ room: first, created: false });
      expect(await store.get("r")).toEqual(first);
      expect(await ids(store, {})).toEqual(["r"]);
    });

    it("create - concurrent creates of one id create it once", async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create(makeRoom("r", { metadata: { n: String(i) } }))));
      expect(results.filter((result) => result.created)).toHaveLength(1);
      const winner = results.find((result) => result.created)?.room;
      for (const result of results) expect(result.room).toEqual(winner);
    });

    it("create - assert receives the room to be stored", async () => {
      const room = makeRoom("r", { usersAccesses: { alice: ["*:write"] } });
      const assert = vi.fn();
      await store.create(room, { assert });
      expect(assert).toHaveBeenCalledTimes(1);
      expect(assert.mock.calls[0]?.[0]).toEqual(room);
    });

    it("create - a failing assert stores nothing and rethrows", async () => {
      const error = new Error("too many users");
      await expect(
        store.create(makeRoom("r"), {
          assert: () => {
            throw error;
          },
        }),
      ).rejects.toBe(error);
      expect(await store.get("r")).toBeNull();
      expect(await ids(store, {})).toEqual([]);
      expect((await store.create(makeRoom("r"))).created).toBe(true);
    });

    it("create - a conflict does not run assert", async () => {
      await store.create(makeRoom("r"));
      const assert = vi.fn();
      await store.create(makeRoom("r"), { assert });
      expect(assert).not.toHaveBeenCalled();
    });
  });

  describe("delete", () => {
    it("delete - removes the room and resolves true", async () => {
      await store.create(makeRoom("r", { usersAccesses: { alice: ["*:read"] } }));
      expect(await store.delete("r")).toBe(true);
      expect(await store.get("r")).toBeNull();
      expect(await ids(store, {})).toEqual([]);
      expect(await ids(store, { userId: "alice" })).toEqual([]);
    });

    it("delete - a missing room resolves to false", async () => {
      expect(await store.delete("missing")).toBe(false);
    });

    it("delete - leaves other rooms alone", async () => {
      await store.create(makeRoom("a"));
      await store.create(makeRoom("b"));
      await store.delete("a");
      expect(await ids(store, {})).toEqual(["b"]);
    });

    it("delete - the id can be created again", async () => {
      await store.create(makeRoom("r", { metadata: { v: "1" } }));
      await store.delete("r");
      const again = makeRoom("r", { metadata: { v: "2" } });
      expect(await store.create(again)).toEqual({ room: again, created: true });
    });
  });
}
