/**
 * getAccessRules: the optional fast path of the entry decision.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { RoomData, RoomStore } from "../../rooms/types.js";
import { makeRoom } from "./helpers.js";
import type { StoreCapabilities } from "./helpers.js";

const MISDECLARED = "capabilities.accessRules is declared, but the store has no getAccessRules";

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeAccessRules(getStore: () => RoomStore, capabilities: StoreCapabilities): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
  });

  describe("getAccessRules (optional fast path)", () => {
    it.skipIf(!capabilities.accessRules)(
      "getAccessRules - when present, gives the subject's entries as stored; null for a missing room",
      async () => {
        if (store.getAccessRules === undefined) throw new Error(MISDECLARED);
        const room = makeRoom("r", {
          defaultAccesses: ["room:read"],
          usersAccesses: Object.fromEntries([
            ["alice", ["room:write"]],
            ["__proto__", ["*:read"]],
          ]) as RoomData["usersAccesses"],
          groupsAccesses: { eng: ["*:write", "storage:read"], ops: ["*:read"] },
        });
        await store.create(room);
        const subject = { userId: "alice", groupIds: ["eng", "nobody"] };
        const rules = await store.getAccessRules("r", subject);
        expect(rules).not.toBeNull();
        expect([...rules!.defaultAccesses]).toEqual(["room:read"]);
        expect(rules!.usersAccesses?.alice).toEqual(["room:write"]);
        expect(rules!.groupsAccesses?.eng).toEqual(["*:write", "storage:read"]);
        expect(Object.hasOwn(rules!.groupsAccesses ?? {}, "nobody")).toBe(false);
        const proto = await store.getAccessRules("r", { userId: "__proto__", groupIds: [] });
        expect(proto!.usersAccesses?.["__proto__"]).toEqual(["*:read"]);
        expect(await store.getAccessRules("missing", subject)).toBeNull();
        await store.update("r", { usersAccesses: { alice: null } });
        const after = await store.getAccessRules("r", subject);
        expect(Object.hasOwn(after!.usersAccesses ?? {}, "alice")).toBe(false);
      },
    );
  });
}
