/**
 * Revocation cutoffs: recorded, only moving forward.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { RoomStore } from "../../storage/types.js";
import { ids, RESERVED_IDS } from "./helpers.js";

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeRevocation(getStore: () => RoomStore): void {
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

    it("revokeTokens - reserved user ids are ordinary ids", async () => {
      for (const [i, id] of RESERVED_IDS.entries()) await store.revokeTokens(id, 1000 + i);
      for (const [i, id] of RESERVED_IDS.entries()) expect(await store.getRevocation(id)).toBe(1000 + i);
    });
  });
}
