/**
 * The facade half of the conformance suite: the same store, driven through
 * `Liveblocks` the way applications use it (update semantics, the query
 * language, concurrent `updateRoom`, room entry and revocation).
 */
import { describe, expect, it } from "vitest";
import { Liveblocks } from "../../liveblocks/index.js";
import type { RoomStore } from "../../rooms/types.js";

const SECRET = "sk_conformance_suite_0123456789abcdef";
const T0 = Date.UTC(2024, 0, 1);

/** Registers the facade tests over `getStore()`'s current store. */
export function describeFacade(getStore: () => RoomStore): void {
  describe("through Liveblocks", () => {
    const facade = (now = () => T0) => new Liveblocks({ secret: SECRET, store: getStore(), now });

    it("updateRoom - key-by-key patch, null removes, defaultAccesses null resets", async () => {
      const liveblocks = facade();
      await liveblocks.createRoom("r", {
        defaultAccesses: ["room:write"],
        usersAccesses: { alice: ["room:write"], bob: ["room:read"] },
        metadata: { color: "blue", size: "L" },
      });
      const room = await liveblocks.updateRoom("r", {
        defaultAccesses: null,
        usersAccesses: { bob: null, carol: ["*:read"] },
        metadata: { color: null },
      });
      expect(room.defaultAccesses).toEqual([]);
      expect(room.usersAccesses).toEqual({ alice: ["room:write"], carol: ["*:read"] });
      expect(room.metadata).toEqual({ size: "L" });
      expect(await liveblocks.getRoom("r")).toEqual(room);
    });

    it("updateRoom - 100 concurrent calls adding distinct users lose none", async () => {
      const liveblocks = new Liveblocks({ secret: SECRET, store: getStore(), limits: { accessesEntries: 100 } });
      await liveblocks.createRoom("r", { defaultAccesses: [] });
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => liveblocks.updateRoom("r", { usersAccesses: { [`user-${i}`]: ["room:read"] } })),
      );
      const room = await liveblocks.getRoom("r");
      expect(Object.keys(room.usersAccesses).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `user-${i}`).sort());
    });

    it("updateRoom - a limit broken by the patch rejects 422 and changes nothing", async () => {
      const liveblocks = new Liveblocks({ secret: SECRET, store: getStore(), limits: { metadataEntries: 2 } });
      await liveblocks.createRoom("r", { defaultAccesses: [], metadata: { a: "1", b: "2" } });
      await expect(liveblocks.updateRoom("r", { metadata: { c: "3" } })).rejects.toMatchObject({ status: 422 });
      expect((await liveblocks.getRoom("r")).metadata).toEqual({ a: "1", b: "2" });
    });

    it("getRooms - the query language, string and object form", async () => {
      let now = T0;
      const liveblocks = facade(() => (now += 1000));
      await liveblocks.createRoom("liveblocks:a", { defaultAccesses: [], metadata: { status: "open" } });
      await liveblocks.createRoom("liveblocks:b", { defaultAccesses: [], metadata: { status: "closed" } });
      await liveblocks.createRoom("other:c", { defaultAccesses: [], metadata: { status: "open" } });
      const ids = async (query: Parameters<Liveblocks["getRooms"]>[0]) => (await liveblocks.getRooms(query)).data.map((room) => room.id);
      expect(await ids({ query: 'metadata["status"]:"open" AND roomId^"liveblocks:"' })).toEqual(["liveblocks:a"]);
      expect(await ids({ query: 'metadata["status"]:"open"' })).toEqual(["other:c", "liveblocks:a"]);
      expect(await ids({ query: { metadata: { status: "open" }, roomId: { startsWith: "other" } } })).toEqual(["other:c"]);
      expect(await ids({ query: 'roomId:"liveblocks:b"' })).toEqual(["liveblocks:b"]);
      await expect(liveblocks.getRooms({ query: 'roomId~"x"' })).rejects.toMatchObject({ status: 422 });
    });

    it("iterRooms - every room once while rooms are added between pages", async () => {
      let now = T0;
      const liveblocks = facade(() => (now += 1000));
      for (let i = 0; i < 30; i++) await liveblocks.createRoom(`r${i}`, { defaultAccesses: [] });
      const seen: string[] = [];
      let added = 0;
      for await (const room of liveblocks.iterRooms({}, { pageSize: 7 })) {
        seen.push(room.id);
        if (seen.length % 7 === 0) await liveblocks.createRoom(`late${added++}`, { defaultAccesses: [] });
      }
      expect(seen).toHaveLength(30);
      expect(new Set(seen).size).toBe(30);
    });

    it("checkRoomAccess - resolves from the stored room; revocation holds across instances", async () => {
      const a = facade(() => T0 + 5_000);
      const b = facade(() => T0 + 5_000);
      await a.createRoom("doc", { defaultAccesses: [], groupsAccesses: { eng: ["room:read"] } });
      const early = new Liveblocks({ secret: SECRET, store: getStore(), now: () => T0 });
      const { body } = await early.identifyUser({ userId: "alice", groupIds: ["eng"] });
      const token = (JSON.parse(body) as { token: string }).token;
      expect(await b.checkRoomAccess(token, "doc")).toMatchObject({ allowed: true, isReadOnly: true });
      await a.revokeTokens({ userId: "alice" });
      expect(await b.checkRoomAccess(token, "doc")).toMatchObject({ allowed: false, reason: "revoked" });
    });

    it("reserved ids - __proto__ and constructor round-trip through the facade", async () => {
      const liveblocks = facade();
      const params = JSON.parse(
        '{"defaultAccesses":[],"usersAccesses":{"__proto__":["*:read"]},"groupsAccesses":{"constructor":["*:write"]}}',
      );
      await liveblocks.createRoom("constructor", params);
      const room = await liveblocks.getRoom("constructor");
      expect(JSON.stringify(room.usersAccesses)).toBe('{"__proto__":["*:read"]}');
      expect(JSON.stringify(room.groupsAccesses)).toBe('{"constructor":["*:write"]}');
      expect((await liveblocks.getRooms({ userId: "__proto__" })).data.map((r) => r.id)).toEqual(["constructor"]);
    });
  });
}
