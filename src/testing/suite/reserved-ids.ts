/**
 * Reserved ids (`__proto__`, `constructor`, …) and exact ids: data, never keys that reach a prototype.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { RoomPermission } from "../../permissions/scopes.js";
import type { RoomStore } from "../../rooms/types.js";
import { at, ids, makeRoom, RESERVED_IDS } from "./helpers.js";

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeReservedIds(getStore: () => RoomStore): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
  });

  describe("reserved ids", () => {
    for (const id of RESERVED_IDS) {
      it(`every method - ${id} is an ordinary room id`, async () => {
        await store.create(makeRoom("other"));
        const room = makeRoom(id, { createdAt: at(1), metadata: { v: "1" } });
        expect(await store.get(id)).toBeNull();
        expect(await store.create(room)).toEqual({ room, created: true });
        expect(await store.get(id)).toEqual(room);
        expect(await ids(store, { roomId: id })).toEqual([id]);
        expect(await ids(store, { roomIdPrefix: id })).toEqual([id]);
        expect((await store.update(id, { metadata: { v: "2" } }))?.metadata).toEqual({ v: "2" });
        expect(await ids(store, {})).toEqual([id, "other"]);
        expect(await store.delete(id)).toBe(true);
        expect(await store.get(id)).toBeNull();
        expect(await ids(store, {})).toEqual(["other"]);
      });
    }

    it("create - reserved ids round-trip as user ids, group ids and metadata keys", async () => {
      const entries = RESERVED_IDS.map((id): [string, RoomPermission] => [id, ["*:write"]]);
      const room = makeRoom("r", {
        usersAccesses: Object.fromEntries(entries),
        groupsAccesses: Object.fromEntries(entries),
        metadata: Object.fromEntries(RESERVED_IDS.map((id) => [id, `value of ${id}`])),
      });
      await store.create(room);
      const stored = await store.get("r");
      expect(stored).toEqual(room);
      for (const map of [stored?.usersAccesses, stored?.groupsAccesses, stored?.metadata]) {
        expect(Object.keys(map ?? {}).sort()).toEqual([...RESERVED_IDS].sort());
        for (const id of RESERVED_IDS) expect(Object.hasOwn(map ?? {}, id)).toBe(true);
        expect([null, Object.prototype]).toContain(Object.getPrototypeOf(map));
      }
      expect(stored?.usersAccesses["__proto__"]).toEqual(["*:write"]);
      expect(stored?.metadata["constructor"]).toBe("value of constructor");
      const json = JSON.parse(JSON.stringify(stored)) as Record<string, Record<string, unknown>>;
      for (const field of ["usersAccesses", "groupsAccesses", "metadata"]) {
        expect(Object.keys(json[field] ?? {}).sort()).toEqual([...RESERVED_IDS].sort());
      }
      for (const id of RESERVED_IDS) {
        expect(await ids(store, { userId: id })).toEqual(["r"]);
        expect(await ids(store, { groupIds: [id] })).toEqual(["r"]);
        expect(await ids(store, { metadata: [[id, `value of ${id}`]] })).toEqual(["r"]);
      }
    });

    it("list - reserved ids match no room that lacks them", async () => {
      await store.create(makeRoom("r", { usersAccesses: { alice: ["*:read"] } }));
      const stored = await store.get("r");
      for (const id of RESERVED_IDS) {
        expect(Object.hasOwn(stored?.usersAccesses ?? {}, id)).toBe(false);
        expect(await ids(store, { userId: id })).toEqual([]);
        expect(await ids(store, { groupIds: [id] })).toEqual([]);
        expect(await ids(store, { metadata: [[id, "x"]] })).toEqual([]);
      }
    });

    it("update - patches add, replace and remove reserved keys", async () => {
      await store.create(makeRoom("r"));
      const add = Object.fromEntries(RESERVED_IDS.map((id): [string, RoomPermission] => [id, ["*:read"]]));
      let room = await store.update("r", {
        usersAccesses: add,
        groupsAccesses: add,
        metadata: Object.fromEntries(RESERVED_IDS.map((id) => [id, [id]])),
      });
      expect(Object.keys(room?.usersAccesses ?? {}).sort()).toEqual([...RESERVED_IDS].sort());
      expect(Object.keys(room?.metadata ?? {}).sort()).toEqual([...RESERVED_IDS].sort());
      room = await store.update("r", {
        usersAccesses: Object.fromEntries([
          ["__proto__", ["*:write"]],
          ["constructor", null],
        ]),
        metadata: Object.fromEntries([
          ["__proto__", null],
          ["toString", "replaced"],
        ]),
      });
      expect(room?.usersAccesses["__proto__"]).toEqual(["*:write"]);
      expect(Object.hasOwn(room?.usersAccesses ?? {}, "constructor")).toBe(false);
      expect(Object.hasOwn(room?.metadata ?? {}, "__proto__")).toBe(false);
      expect(room?.metadata["toString"]).toBe("replaced");
      expect(await store.get("r")).toEqual(room);
      expect(await ids(store, { userId: "constructor" })).toEqual([]);
      expect(await ids(store, { userId: "__proto__" })).toEqual(["r"]);
      expect(await ids(store, { metadata: [["__proto__", "__proto__"]] })).toEqual([]);
      expect(await ids(store, { metadata: [["toString", "replaced"]] })).toEqual(["r"]);
    });

    it("update - patching __proto__ pollutes no prototype", async () => {
      const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
      await store.create(makeRoom("r"));
      await store.update("r", {
        usersAccesses: Object.fromEntries([["__proto__", ["*:write"]]]),
        groupsAccesses: Object.fromEntries([["__proto__", ["*:write"]]]),
        metadata: Object.fromEntries([
          ["__proto__", ["polluted"]],
          ["polluted", "yes"],
        ]),
      });
      const room = await store.get("r");
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
      for (const map of [room?.usersAccesses, room?.groupsAccesses, room?.metadata]) {
        expect([null, Object.prototype]).toContain(Object.getPrototypeOf(map));
      }
      expect(JSON.stringify(room?.metadata)).toBe('{"__proto__":["polluted"],"polluted":"yes"}');
    });
  });

  describe("exact ids", () => {
    it("every method - room ids differ by case, separator and normalisation", async () => {
      const roomIds = ["Room", "room", "a/b", "a:b", "caf\u00e9", "cafe\u0301", "a", "a "];
      for (const [i, id] of roomIds.entries()) {
        await store.create(makeRoom(id, { createdAt: at(i), metadata: { n: String(i) } }));
      }
      for (const [i, id] of roomIds.entries()) {
        expect((await store.get(id))?.metadata).toEqual({ n: String(i) });
        expect(await ids(store, { roomId: id })).toEqual([id]);
      }
      expect(await store.get("ROOM")).toBeNull();
      expect(await store.get("a%2Fb")).toBeNull();
      expect(await ids(store, { roomIdPrefix: "Ro" })).toEqual(["Room"]);
      expect(await ids(store, { roomIdPrefix: "a/" })).toEqual(["a/b"]);
      expect(await ids(store, { roomIdPrefix: "caf\u00e9" })).toEqual(["caf\u00e9"]);
      await store.delete("room");
      expect(await store.get("Room")).not.toBeNull();
    });

    it("list - user ids, group ids and metadata are compared exactly", async () => {
      await store.create(
        makeRoom("r", {
          usersAccesses: { Alice: ["*:read"], "a/b": ["*:read"] },
          groupsAccesses: { Eng: ["*:read"] },
          metadata: { Status: "Open" },
        }),
      );
      expect(await ids(store, { userId: "alice" })).toEqual([]);
      expect(await ids(store, { userId: "a:b" })).toEqual([]);
      expect(await ids(store, { userId: "a/b" })).toEqual(["r"]);
      expect(await ids(store, { groupIds: ["eng"] })).toEqual([]);
      expect(await ids(store, { metadata: [["status", "Open"]] })).toEqual([]);
      expect(await ids(store, { metadata: [["Status", "open"]] })).toEqual([]);
      expect(await ids(store, { metadata: [["Status", "Open"]] })).toEqual(["r"]);
    });
  });
}
