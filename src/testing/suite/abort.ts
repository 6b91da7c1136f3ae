/**
 * Abort signals: every method rejects with the reason and writes nothing.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { RoomStore } from "../../rooms/types.js";
import { abortedSignal, makeRoom } from "./helpers.js";

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeAbort(getStore: () => RoomStore): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
  });

  describe("abort signal", () => {
    it("every method - rejects with the reason of an aborted signal and writes nothing", async () => {
      await store.create(makeRoom("r"));
      const { signal, reason } = abortedSignal();
      await expect(store.get("r", { signal })).rejects.toBe(reason);
      await expect(store.create(makeRoom("new"), { signal })).rejects.toBe(reason);
      await expect(store.update("r", { metadata: { a: "b" } }, { signal })).rejects.toBe(reason);
      await expect(store.delete("r", { signal })).rejects.toBe(reason);
      await expect(store.list({ filter: {}, limit: 10 }, { signal })).rejects.toBe(reason);
      await expect(store.revokeTokens("alice", 1000, { signal })).rejects.toBe(reason);
      await expect(store.getRevocation("alice", { signal })).rejects.toBe(reason);
      expect(await store.get("new")).toBeNull();
      expect(await store.get("r")).toEqual(makeRoom("r"));
      expect(await store.getRevocation("alice")).toBeNull();
    });
  });
}
