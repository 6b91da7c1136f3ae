import { afterEach, describe, expect, it } from "vitest";
import { Liveblocks, MemoryStore, RestResponseError, RestStore } from "../../src/index.js";
import { makeLiveblocks } from "../liveblocks/helpers.js";
import { SECRET, type TestServer, startServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve() {
  const { liveblocks, clock } = makeLiveblocks();
  server = await startServer(liveblocks);
  return { liveblocks, clock, server };
}

describe("roomgate/http access routes", () => {
  it("POST /v2/rooms/:roomId/explain-access - answers the facade's explanation as JSON", async () => {
    const { liveblocks, server } = await serve();
    await liveblocks.createRoom("a/b", { defaultAccesses: [], groupsAccesses: { contractors: ["room:read"] } });
    const response = await server.call("POST", "/v2/rooms/a%2Fb/explain-access", { userId: "carol", groupIds: ["contractors"] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(body).toEqual(JSON.parse(JSON.stringify(await liveblocks.explainAccess("a/b", { userId: "carol", groupIds: ["contractors"] }))));
    expect(body).toMatchObject({
      allowed: true,
      roomId: "a/b",
      resources: { room: { decidedBy: { layer: "group", groupId: "contractors" } } },
    });
  });

  it("POST /v2/rooms/:roomId/explain-access - 404 ROOM_NOT_FOUND, 422 naming an unknown or bad field", async () => {
    const { liveblocks, server } = await serve();
    expect(await (await server.call("POST", "/v2/rooms/nope/explain-access", { userId: "u" })).json()).toMatchObject({
      error: "ROOM_NOT_FOUND",
    });
    await liveblocks.createRoom("r", { defaultAccesses: [] });
    const unknown = await server.call("POST", "/v2/rooms/r/explain-access", { userId: "u", role: "admin" });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { message: string }).message).toContain("role");
    const bad = await server.call("POST", "/v2/rooms/r/explain-access", { userId: 5 });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toContain("userId");
    expect((await server.call("GET", "/v2/rooms/r/explain-access")).status).toBe(405);
  });

  it("GET /v2/rooms/:roomId/access-list - pages the entries with limit and startingAfter", async () => {
    const { liveblocks, server } = await serve();
    await liveblocks.createRoom("r", {
      defaultAccesses: ["*:read"],
      usersAccesses: { bob: ["*:write"], alice: ["*:read"] },
      groupsAccesses: { eng: ["*:write"] },
    });
    const first = (await (await server.call("GET", "/v2/rooms/r/access-list?limit=2")).json()) as any;
    expect(first.data.map((entry: { id: string }) => entry.id)).toEqual(["alice", "bob"]);
    expect(first.defaultAccess.effective.scopes).toEqual(["*:read"]);
    const second = (await (await server.call("GET", `/v2/rooms/r/access-list?startingAfter=${first.nextCursor}`)).json()) as any;
    expect(second).toMatchObject({ nextCursor: null, data: [{ kind: "group", id: "eng", effective: { scopes: ["*:write"] } }] });
    const bad = await server.call("GET", "/v2/rooms/r/access-list?limit=abc");
    expect(bad.status).toBe(422);
    expect((await server.call("GET", "/v2/rooms/r/access-list?startingAfter=zz")).status).toBe(422);
  });

  it("GET /v2/rooms - accessibleByUserId and accessibleByGroupIds list the enterable rooms; groups without a user are refused", async () => {
    const { liveblocks, clock, server } = await serve();
    clock.now += 1000;
    await liveblocks.createRoom("team", { defaultAccesses: [], groupsAccesses: { eng: ["*:read"] } });
    clock.now += 1000;
    await liveblocks.createRoom("mine", { defaultAccesses: [], usersAccesses: { alice: ["*:read"] } });
    clock.now += 1000;
    await liveblocks.createRoom("closed", { defaultAccesses: [] });
    const page = (await (await server.call("GET", "/v2/rooms?accessibleByUserId=alice&accessibleByGroupIds=eng,ops")).json()) as any;
    expect(page.data.map((room: { id: string }) => room.id)).toEqual(["mine", "team"]);
    const refused = await server.call("GET", "/v2/rooms?accessibleByGroupIds=eng");
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { message: string }).message).toContain("accessibleByUserId");
  });

  it("RestStore.listAccessible - passes accessibleBy through, and refuses a server that ignores it", async () => {
    const { liveblocks, server } = await serve();
    await liveblocks.createRoom("mine", { defaultAccesses: [], usersAccesses: { alice: ["*:read"] } });
    await liveblocks.createRoom("closed", { defaultAccesses: [] });
    const over = new Liveblocks({ secret: SECRET, store: new RestStore({ baseUrl: server.url, secret: SECRET }) });
    expect((await over.getRooms({ accessibleBy: { userId: "alice" } })).data.map((room) => room.id)).toEqual(["mine"]);
    expect((await over.explainAccess("mine", { userId: "alice" })).allowed).toBe(true);
    expect((await over.getRoomAccessList("mine")).data.map((entry) => entry.id)).toEqual(["alice"]);
    // A server that does not know the parameters answers every room (here: a store whose listAccessible ignores the identity).
    const inner = new MemoryStore();
    await inner.create({
      type: "room",
      id: "closed",
      createdAt: new Date(0),
      organizationId: "default",
      defaultAccesses: [],
      usersAccesses: {},
      groupsAccesses: {},
      metadata: {},
    });
    const ignoring = Object.assign(Object.create(inner) as MemoryStore, { listAccessible: (query: never) => inner.list(query) });
    const old = await startServer(new Liveblocks({ secret: SECRET, store: ignoring }));
    try {
      const store = new RestStore({ baseUrl: old.url, secret: SECRET });
      await expect(store.listAccessible({ filter: {}, limit: 5, accessibleBy: { userId: "alice", groupIds: [] } })).rejects.toBeInstanceOf(
        RestResponseError,
      );
    } finally {
      await old.close();
    }
  });
});
