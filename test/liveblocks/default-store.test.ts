import { describe, expect, it } from "vitest";
import { Liveblocks, MemoryStore } from "../../src/index.js";
import { generateSecret } from "../../src/tokens/secret.js";

/** Five route modules of Liveblocks' multi-tenant example, each with its own `new Liveblocks({ secret })`. */
function fiveRouteModules(secret: string): Liveblocks[] {
  return Array.from({ length: 5 }, () => new Liveblocks({ secret }));
}

describe("default store", () => {
  it("new Liveblocks - instances with one secret share rooms (drop-in for per-module instances)", async () => {
    const [create, read, update, list, remove] = fiveRouteModules(generateSecret());
    await create!.createRoom("doc-1", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
    expect((await read!.getRoom("doc-1")).usersAccesses).toEqual({ alice: ["room:write"] });
    await update!.updateRoom("doc-1", { usersAccesses: { bob: ["room:read", "room:presence:write"] } });
    expect((await read!.getRoom("doc-1")).usersAccesses).toEqual({ alice: ["room:write"], bob: ["room:read", "room:presence:write"] });
    expect((await list!.getRooms()).data.map((room) => room.id)).toEqual(["doc-1"]);
    await remove!.deleteRoom("doc-1");
    await expect(read!.getRoom("doc-1")).rejects.toMatchObject({ status: 404 });
  });

  it("new Liveblocks - a revocation through one instance refuses the token at another", async () => {
    const [signer, revoker, gate] = fiveRouteModules(generateSecret());
    await signer!.createRoom("doc-2", { defaultAccesses: ["room:write"] });
    const { body } = await signer!.identifyUser("alice");
    const token = (JSON.parse(body) as { token: string }).token;
    expect((await gate!.checkRoomAccess(token, "doc-2")).allowed).toBe(true);
    await revoker!.revokeTokens({ userId: "alice" });
    expect(await gate!.checkRoomAccess(token, "doc-2")).toMatchObject({ allowed: false });
  });

  it("new Liveblocks - two secrets are two projects with rooms of their own", async () => {
    const one = new Liveblocks({ secret: generateSecret() });
    const two = new Liveblocks({ secret: generateSecret() });
    await one.createRoom("same-id", { defaultAccesses: [] });
    await expect(two.getRoom("same-id")).rejects.toMatchObject({ status: 404 });
    await two.createRoom("same-id", { defaultAccesses: ["room:read", "room:presence:write"] });
    expect((await one.getRoom("same-id")).defaultAccesses).toEqual([]);
    expect(one.store).not.toBe(two.store);
  });

  it("new Liveblocks - an explicit store is the instance's own", async () => {
    const secret = generateSecret();
    const own = new Liveblocks({ secret, store: new MemoryStore() });
    const shared = new Liveblocks({ secret });
    await own.createRoom("private-store", { defaultAccesses: [] });
    await expect(shared.getRoom("private-store")).rejects.toMatchObject({ status: 404 });
    expect(new Liveblocks({ secret }).store).toBe(shared.store);
  });
});
