/**
 * Copies: nothing a caller holds (input, result, patch, event) aliases the stored room.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { returnsPlainRoomCopies } from "../../rooms/copies.js";
import type { RoomData, RoomStore } from "../../rooms/types.js";
import { at, ids, makeRoom, recordEvents } from "./helpers.js";

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeCopies(getStore: () => RoomStore): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
  });

  describe("copies", () => {
    const full = () =>
      makeRoom("r", {
        lastConnectionAt: at(3),
        defaultAccesses: ["*:read"],
        usersAccesses: { alice: ["*:write"] },
        groupsAccesses: { eng: ["*:read"] },
        metadata: { tags: ["a"], status: "open" },
      });

    function vandalise(room: RoomData | null | undefined): void {
      if (!room) throw new Error("expected a room");
      room.id = "changed";
      room.createdAt.setTime(0);
      room.lastConnectionAt?.setTime(0);
      room.defaultAccesses.push("*:write");
      (room.usersAccesses["alice"] as string[]).push("storage:read");
      room.usersAccesses["mallory"] = ["*:write"];
      (room.groupsAccesses["eng"] as string[]).length = 0;
      (room.metadata["tags"] as string[]).push("b");
      room.metadata["status"] = "closed";
    }

    it("create - mutating the input afterwards does not change the store", async () => {
      const room = full();
      await store.create(room);
      vandalise(room);
      expect(await store.get("r")).toEqual(full());
    });

    it("every method - mutating a returned room does not change the store", async () => {
      vandalise((await store.create(full())).room);
      vandalise(await store.get("r"));
      vandalise((await store.create(full())).room);
      vandalise(await store.update("r", {}));
      vandalise((await store.list({ filter: {}, limit: 10 })).rooms[0]);
      expect(await store.get("r")).toEqual(full());
      expect(await ids(store, { userId: "mallory" })).toEqual([]);
    });

    it("update - mutating the patch afterwards does not change the store", async () => {
      await store.create(full());
      const scopes: ("*:read" | "*:write")[] = ["*:read"];
      const patch = { usersAccesses: { bob: scopes }, metadata: { tags: ["x"] } };
      await store.update("r", patch);
      scopes.push("*:write");
      patch.metadata.tags.push("y");
      const room = await store.get("r");
      expect(room?.usersAccesses["bob"]).toEqual(["*:read"]);
      expect(room?.metadata["tags"]).toEqual(["x"]);
    });

    it("subscribe - mutating an event's room does not change the store", async () => {
      const { events, unsubscribe } = recordEvents(store);
      await store.create(full());
      await vi.waitFor(() => expect(events).toHaveLength(1));
      vandalise(events[0]?.room);
      unsubscribe();
      expect(await store.get("r")).toEqual(full());
    });

    it("plain copies - a store that says its rooms are the caller's own plain copies hands out parsed-JSON shapes nobody else holds", async () => {
      // The facade hands such rooms out without copying them: check what it relies on.
      if (!returnsPlainRoomCopies(store)) return;
      const reserved = makeRoom("r", {
        usersAccesses: Object.fromEntries([
          ["__proto__", ["*:read"]],
          ["constructor", ["*:write"]],
        ]) as RoomData["usersAccesses"],
        metadata: Object.fromEntries([["__proto__", "x"]]) as RoomData["metadata"],
      });
      const { events, unsubscribe } = recordEvents(store);
      const returned: RoomData[] = [];
      returned.push((await store.create(reserved)).room);
      returned.push((await store.create(reserved)).room);
      returned.push((await store.get("r"))!);
      returned.push((await store.update("r", { metadata: { v: "1" } }))!);
      returned.push((await store.list({ filter: {}, limit: 10 })).rooms[0]!);
      await vi.waitFor(() => expect(events).toHaveLength(2));
      unsubscribe();
      for (const room of returned) {
        for (const map of [room.usersAccesses, room.groupsAccesses, room.metadata]) {
          expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
        }
        expect(Object.hasOwn(room.usersAccesses, "__proto__")).toBe(true);
        expect(room.usersAccesses["constructor"]).toEqual(["*:write"]);
        expect(Object.hasOwn(room.metadata, "__proto__")).toBe(true);
        for (const event of events) expect(event.room).not.toBe(room);
      }
      expect(new Set(returned).size).toBe(returned.length);
    });

    it("get - two reads return distinct objects", async () => {
      await store.create(full());
      const [a, b] = await Promise.all([store.get("r"), store.get("r")]);
      expect(a).not.toBe(b);
      expect(a?.usersAccesses).not.toBe(b?.usersAccesses);
      expect(a?.createdAt).not.toBe(b?.createdAt);
    });
  });
}
