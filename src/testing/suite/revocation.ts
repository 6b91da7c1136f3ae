/**
 * Revocation cutoffs: recorded, only moving forward; told to
 * `subscribeRevocations` listeners where the store has it.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { RevocationEvent, RoomStore } from "../../rooms/types.js";
import { RESERVED_IDS, type StoreCapabilities } from "./helpers.js";

const MISDECLARED = "capabilities.revocationEvents is declared, but the store has no subscribeRevocations";

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeRevocation(getStore: () => RoomStore, capabilities: StoreCapabilities): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
  });

  describe("revocation", () => {
    it("getRevocation - an unknown user resolves to null", async () => {
      expect(await store.getRevocation("alice")).toBeNull();
    });

    it("revokeTokens - records the cutoff", async () => {
      await store.revokeTokens("alice", 1_700_000_000_000);
      expect(await store.getRevocation("alice")).toBe(1_700_000_000_000);
      expect(await store.getRevocation("bob")).toBeNull();
      expect(await store.getRevocation("Alice")).toBeNull();
    });

    it("revokeTokens - the cutoff only moves forward", async () => {
      await store.revokeTokens("alice", 2_000);
      await store.revokeTokens("alice", 1_000);
      expect(await store.getRevocation("alice")).toBe(2_000);
      await store.revokeTokens("alice", 3_000);
      expect(await store.getRevocation("alice")).toBe(3_000);
    });

    it("revokeTokens - concurrent revocations keep the latest cutoff", async () => {
      const cutoffs = [5, 1, 9, 3, 7].map((n) => 1_700_000_000_000 + n);
      await Promise.all(cutoffs.map((cutoff) => store.revokeTokens("alice", cutoff)));
      expect(await store.getRevocation("alice")).toBe(1_700_000_000_009);
    });

    it.skipIf(!capabilities.revocationEvents)(
      "subscribeRevocations - each revocation reaches listeners, never below its cutoff",
      async () => {
        if (store.subscribeRevocations === undefined) throw new Error(MISDECLARED);
        const events: RevocationEvent[] = [];
        const unsubscribe = store.subscribeRevocations((event) => events.push(event));
        await store.revokeTokens("alice", 2_000);
        await store.revokeTokens("bob", 5_000);
        await store.revokeTokens("alice", 1_000);
        await vi.waitFor(() => expect(events).toHaveLength(3));
        expect(events.slice(0, 2)).toEqual([
          { userId: "alice", issuedBefore: 2_000 },
          { userId: "bob", issuedBefore: 5_000 },
        ]);
        // The stored cutoff (2000) where the store reads it back, at least the one given otherwise.
        expect(events[2]).toMatchObject({ userId: "alice" });
        expect(events[2]!.issuedBefore).toBeGreaterThanOrEqual(1_000);
        unsubscribe();
        await store.revokeTokens("alice", 9_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(events).toHaveLength(3);
      },
    );

    it.skipIf(!capabilities.revocationClearing)("clearRevocation - removes the cutoff; later revocations start afresh", async () => {
      if (store.clearRevocation === undefined)
        throw new Error("capabilities.revocationClearing is declared, but the store has no clearRevocation");
      await store.revokeTokens("alice", 9_000);
      await store.revokeTokens("bob", 9_000);
      await store.clearRevocation("alice");
      expect(await store.getRevocation("alice")).toBeNull();
      expect(await store.getRevocation("bob")).toBe(9_000);
      await store.clearRevocation("alice");
      await store.clearRevocation("carol");
      // The cutoff moves forward from nothing again: an earlier one is kept.
      await store.revokeTokens("alice", 1_000);
      expect(await store.getRevocation("alice")).toBe(1_000);
    });

    it("revokeTokens - reserved user ids are ordinary ids", async () => {
      for (const [i, id] of RESERVED_IDS.entries()) await store.revokeTokens(id, 1000 + i);
      for (const [i, id] of RESERVED_IDS.entries()) expect(await store.getRevocation(id)).toBe(1000 + i);
    });
  });
}
