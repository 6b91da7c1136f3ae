/**
 * Concurrency: concurrent updates of one room all land.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { RoomStore } from "../../rooms/types.js";
import { ids, makeRoom } from "./helpers.js";

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeConcurrency(getStore: () => RoomStore): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
  });

  describe("concurrency", () => {
    it("update - 100 concurrent updates adding distinct users all land", async () => {
      await store.create(makeRoom("r"));
      const userIds = Array.from({ length: 100 }, (_, i) => `user-${i}`);
      await Promise.all(userIds.map((userId) => store.update("r", { usersAccesses: { [userId]: ["*:read"] } })));
      const room = await store.get("r");
      expect(Object.keys(room?.usersAccesses ?? {}).sort()).toEqual([...userIds].sort());
      for (const userId of userIds) expect(await ids(store, { userId })).toEqual(["r"]);
    });

    it("update - concurrent updates of different fields all land", async () => {
      await store.create(makeRoom("r", { usersAccesses: { gone: ["*:read"] } }));
      await Promise.all([
        ...Array.from({ length: 30 }, (_, i) => store.update("r", { metadata: { [`k${i}`]: `v${i}` } })),
        ...Array.from({ length: 30 }, (_, i) => store.update("r", { groupsAccesses: { [`g${i}`]: ["*:read"] } })),
        store.update("r", { usersAccesses: { gone: null } }),
        store.update("r", { defaultAccesses: ["*:read"] }),
      ]);
      const room = await store.get("r");
      expect(Object.keys(room?.metadata ?? {})).toHaveLength(30);
      expect(Object.keys(room?.groupsAccesses ?? {})).toHaveLength(30);
      expect(room?.usersAccesses).toEqual({});
      expect(room?.defaultAccesses).toEqual(["*:read"]);
    });
  });
}
