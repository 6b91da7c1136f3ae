/**
 * subscribe: created, updated and deleted events, none for no-op writes.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { RoomStore } from "../../rooms/types.js";
import { makeRoom, recordEvents } from "./helpers.js";

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeEvents(getStore: () => RoomStore): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
  });

  describe("subscribe", () => {
    it("subscribe - receives created, updated and deleted events with the room", async () => {
      const { events, unsubscribe } = recordEvents(store);
      const created = await store.create(makeRoom("r"));
      const updated = await store.update("r", { metadata: { a: "b" } });
      await store.delete("r");
      await vi.waitFor(() => expect(events).toHaveLength(3));
      expect(events).toEqual([
        { type: "created", roomId: "r", room: created.room },
        { type: "updated", roomId: "r", room: updated },
        { type: "deleted", roomId: "r", room: null },
      ]);
      unsubscribe();
    });

    it("subscribe - no event for writes that change nothing", async () => {
      const { events, unsubscribe } = recordEvents(store);
      await store.create(makeRoom("r"));
      await store.create(makeRoom("r"));
      await store.update("missing", { metadata: { a: "b" } });
      await store.delete("missing");
      await store
        .update(
          "r",
          { metadata: { a: "b" } },
          {
            assert: () => {
              throw new Error("no");
            },
          },
        )
        .catch(() => undefined);
      await store
        .create(makeRoom("other"), {
          assert: () => {
            throw new Error("no");
          },
        })
        .catch(() => undefined);
      // A marker write: once its event is in, every earlier one would be.
      await store.delete("r");
      await vi.waitFor(() => expect(events.map((event) => event.type)).toContain("deleted"));
      expect(events.map((event) => [event.type, event.roomId])).toEqual([
        ["created", "r"],
        ["deleted", "r"],
      ]);
      unsubscribe();
    });

    it("subscribe - the unsubscribe function stops the events", async () => {
      const first = recordEvents(store);
      const second = recordEvents(store);
      await store.create(makeRoom("a"));
      await vi.waitFor(() => expect(first.events).toHaveLength(1));
      first.unsubscribe();
      first.unsubscribe();
      await store.create(makeRoom("b"));
      await vi.waitFor(() => expect(second.events).toHaveLength(2));
      expect(first.events).toHaveLength(1);
      second.unsubscribe();
    });
  });
}
