/**
 * The entry check made in the calling turn (roomgate's own verifier over
 * Node's crypto, a MemoryStore) decides exactly as the path under a
 * deadline does, and steps aside for a verifier or store method that was
 * replaced (a spy, a subclass): those are called, as before.
 */
import { describe, expect, it, vi } from "vitest";
import { HmacSigner, KeyPairSigner, Liveblocks, MemoryStore, type RoomStore } from "../../../src/index.js";
import { SECRET, tokenOf } from "../helpers.js";

async function rooms(liveblocks: Liveblocks) {
  await liveblocks.createRoom("open", { defaultAccesses: ["room:write"] });
  await liveblocks.createRoom("read", { defaultAccesses: [], groupsAccesses: { eng: ["room:read", "room:presence:write"] } });
  await liveblocks.createRoom("closed", { defaultAccesses: [] });
  await liveblocks.createRoom("acme", { defaultAccesses: ["room:write"], organizationId: "acme" });
}

describe("checkRoomAccess - decided in the calling turn", () => {
  it("checkRoomAccess - the same decisions as through a store read under a deadline, for every outcome", async () => {
    for (const signer of [new HmacSigner({ secret: SECRET }), await KeyPairSigner.generate()]) {
      const memory = new MemoryStore();
      // A Proxy is no MemoryStore for the fast path: its reads go through the deadline.
      const proxied: RoomStore = new Proxy(memory, {
        get(target, key) {
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const atOnce = new Liveblocks({ secret: SECRET, signer, store: memory });
      const inTime = new Liveblocks({ secret: SECRET, signer, store: proxied });
      await rooms(atOnce);
      const token = tokenOf((await atOnce.identifyUser({ userId: "ada", groupIds: ["eng"] })).body);
      const forged = `${token.slice(0, -3)}${token.endsWith("AAA") ? "BBB" : "AAA"}`;
      for (const [t, roomId] of [
        [token, "open"],
        [token, "read"],
        [token, "closed"],
        [token, "acme"],
        [token, "missing"],
        [token, "a*b"],
        [forged, "open"],
        ["", "open"],
      ] as const) {
        const fast = atOnce.checkRoomAccess(t, roomId);
        expect(fast).toBeInstanceOf(Promise);
        expect(await fast, `${roomId}`).toEqual(await inTime.checkRoomAccess(t, roomId));
      }
      await atOnce.revokeTokens({ userId: "ada" });
      expect(await atOnce.checkRoomAccess(token, "open")).toMatchObject({ allowed: false, reason: "revoked" });
      expect(await inTime.checkRoomAccess(token, "open")).toMatchObject({ allowed: false, reason: "revoked" });
    }
  });

  it("checkRoomAccess / verifyToken - a replaced verify or store read is called, not bypassed", async () => {
    const signer = new HmacSigner({ secret: SECRET });
    const store = new MemoryStore();
    const liveblocks = new Liveblocks({ secret: SECRET, signer, store });
    await rooms(liveblocks);
    const token = tokenOf((await liveblocks.identifyUser("ada")).body);
    const verify = vi.spyOn(signer, "verify");
    expect(await liveblocks.checkRoomAccess(token, "open")).toMatchObject({ allowed: true });
    expect(await liveblocks.verifyToken(token)).toMatchObject({ uid: "ada" });
    expect(verify).toHaveBeenCalledTimes(2);
    verify.mockRestore();

    const read = vi.spyOn(store, "getAccessRules").mockResolvedValue(null);
    expect(await liveblocks.checkRoomAccess(token, "open")).toMatchObject({ allowed: false, reason: "room-not-found" });
    expect(read).toHaveBeenCalledTimes(1);
    read.mockRestore();
    expect(await liveblocks.checkRoomAccess(token, "open")).toMatchObject({ allowed: true });
  });

  it("verifyToken - rejects (never throws) a forged or malformed token", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET });
    for (const bad of ["", "a.b.c", "x".repeat(10_000), null as unknown as string]) {
      const result = liveblocks.verifyToken(bad);
      expect(result).toBeInstanceOf(Promise);
      await expect(result).rejects.toMatchObject({ name: "TokenError" });
    }
  });
});
