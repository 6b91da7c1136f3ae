/**
 * Drop-in details: the official `@liveblocks/node` against Express apps on
 * loopback (it drops any path of `baseUrl`), and the REST answers that
 * differed from Liveblocks' (`nextPage`, an update's `organizationId`,
 * `userInfo` strings, `null` maps, 501 for unserved SDK routes, 503 for an
 * unreachable store).
 */
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Liveblocks as Official, LiveblocksError as OfficialError } from "@liveblocks/node";
import express from "express";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type RequestHandlerOptions, createRequestHandler, toNodeListener } from "../../src/http/index.js";
import { MemoryStore, type RoomStore } from "../../src/index.js";
import { PostgresStore } from "../../src/postgres.js";
import { SECRET, makeLiveblocks } from "../liveblocks/helpers.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function listen(app: express.Express | ((req: never, res: never) => void)): Promise<string> {
  const server = createServer(app as never);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An Express app with the handler mounted as `mount` says, and a route of its own beside it. */
async function expressApp(mount: (app: express.Express) => void): Promise<string> {
  const app = express();
  app.get("/api/health", (_req, res) => void res.send("ok"));
  mount(app);
  return listen(app);
}

async function roundTrip(sdk: Official): Promise<void> {
  await sdk.createRoom("dropin-room", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
  expect((await sdk.getRoom("dropin-room")).usersAccesses).toEqual({ alice: ["room:write"] });
  const page = await sdk.getRooms();
  expect(page.data.map((room) => room.id)).toEqual(["dropin-room"]);
  const { status } = await sdk.identifyUser("alice");
  expect(status).toBe(200);
}

const auth = { authorization: `Bearer ${SECRET}`, "content-type": "application/json" };

describe("mounting for @liveblocks/node (it calls new URL('/v2/…', baseUrl))", () => {
  it("Express - app.use(toNodeListener(handler)) without basePath serves an SDK whose baseUrl has a path", async () => {
    const { liveblocks } = makeLiveblocks();
    const url = await expressApp((app) => app.use(toNodeListener(createRequestHandler(liveblocks))));
    await roundTrip(new Official({ secret: SECRET, baseUrl: `${url}/api` }));
    expect(await (await fetch(`${url}/api/health`)).text()).toBe("ok");
  });

  it('Express - app.use("/v2", …) with basePath "/v2" serves the SDK (was 404: routes sat at /v2/v2)', async () => {
    const { liveblocks } = makeLiveblocks();
    const url = await expressApp((app) => app.use("/v2", toNodeListener(createRequestHandler(liveblocks, { basePath: "/v2" }))));
    await roundTrip(new Official({ secret: SECRET, baseUrl: url }));
  });

  it('Express - app.use("/v2", …) without basePath serves the SDK (the adapter reads req.originalUrl)', async () => {
    const { liveblocks } = makeLiveblocks();
    const url = await expressApp((app) => app.use("/v2", toNodeListener(createRequestHandler(liveblocks))));
    await roundTrip(new Official({ secret: SECRET, baseUrl: `${url}/api` }));
  });

  it("basePath - a raw client reaches /api/v2/…; an SDK call at /v2 is 404 with a suggestion naming the URL rule, told to onError once", async () => {
    const { liveblocks } = makeLiveblocks();
    const onError = vi.fn();
    const options: RequestHandlerOptions = { basePath: "/api", onError };
    // Mounted at the root so the handler sees the SDK's /v2 calls (under app.use("/api") Express would answer them itself).
    const url = await expressApp((app) => app.use(toNodeListener(createRequestHandler(liveblocks, options))));
    expect((await fetch(`${url}/api/v2/rooms`, { headers: auth })).status).toBe(200);
    const sdk = new Official({ secret: SECRET, baseUrl: `${url}/api` });
    for (let i = 0; i < 2; i++) {
      const error = await sdk.getRooms().then(
        () => expect.fail("the SDK reached a basePath mount"),
        (e: unknown) => e as OfficialError,
      );
      expect(error).toBeInstanceOf(OfficialError);
      expect(error.status).toBe(404);
    }
    const answer = await fetch(`${url}/v2/rooms`, { headers: auth });
    expect(await answer.json()).toMatchObject({
      error: "ROUTE_NOT_FOUND",
      suggestion: expect.stringContaining('new URL("/v2/…", baseUrl)'),
    });
    expect(onError).toHaveBeenCalledTimes(1);
    expect(String(onError.mock.calls[0]![0])).toMatch(/drops any path of baseUrl/);
  });
});

describe("REST answers as Liveblocks gives them", () => {
  async function server(options: RequestHandlerOptions = {}, store?: RoomStore) {
    const { liveblocks } = makeLiveblocks(store ? { store } : {});
    const url = await listen(toNodeListener(createRequestHandler(liveblocks, options)) as never);
    const call = (method: string, path: string, body?: unknown) =>
      fetch(url + path, { method, headers: auth, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return { url, call, liveblocks, sdk: new Official({ secret: SECRET, baseUrl: url }) };
  }

  it("GET /v2/rooms - sends nextPage: null beside nextCursor, as Liveblocks still does", async () => {
    const { call, sdk } = await server();
    await call("POST", "/v2/rooms", { id: "a", defaultAccesses: [] });
    const body = (await (await call("GET", "/v2/rooms")).json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["nextCursor", "nextPage", "data"]);
    expect(body["nextPage"]).toBeNull();
    expect(await sdk.getRooms()).toMatchObject({ nextCursor: null, nextPage: null });
  });

  it("POST /v2/rooms/:id - an organizationId in the update body is ignored (was 422)", async () => {
    const { call, sdk } = await server();
    await call("POST", "/v2/rooms", { id: "org-room", defaultAccesses: [], organizationId: "acme" });
    const answer = await call("POST", "/v2/rooms/org-room", { organizationId: "other", metadata: { a: "b" } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ organizationId: "acme", metadata: { a: "b" } });
    const viaSdk = await sdk.updateRoom("org-room", {
      organizationId: "x",
      defaultAccesses: ["room:read", "room:presence:write"],
    } as never);
    expect(viaSdk).toMatchObject({ organizationId: "acme", defaultAccesses: ["room:read", "room:presence:write"] });
  });

  it("identify-user / authorize-user - userInfo name, avatar, color must be strings (was accepted)", async () => {
    const { call, sdk } = await server();
    for (const userInfo of [{ name: 1 }, { avatar: {} }, { color: null }]) {
      const field = Object.keys(userInfo)[0]!;
      const answer = await call("POST", "/v2/identify-user", { userId: "alice", userInfo });
      expect(answer.status).toBe(422);
      expect(((await answer.json()) as { message: string }).message).toContain(`'${field}' must be a string`);
      const authorize = await call("POST", "/v2/authorize-user", { userId: "alice", permissions: { "r*": ["room:write"] }, userInfo });
      expect(authorize.status).toBe(422);
    }
    expect((await sdk.identifyUser("alice", { userInfo: { name: 1 } as never })).status).toBe(422);
    expect((await sdk.identifyUser("alice", { userInfo: { name: "Alice", avatar: "a.png", color: "#f00", extra: 1 } })).status).toBe(200);
  });

  it("POST /v2/rooms/:id - usersAccesses, groupsAccesses, metadata null clear the whole map (was 422)", async () => {
    const { call, sdk, liveblocks } = await server();
    const full = { defaultAccesses: [], usersAccesses: { a: ["room:write"] }, groupsAccesses: { g: ["room:write"] }, metadata: { k: "v" } };
    await call("POST", "/v2/rooms", { id: "clear", ...full });
    const answer = await call("POST", "/v2/rooms/clear", { usersAccesses: null, groupsAccesses: null, metadata: null });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ usersAccesses: {}, groupsAccesses: {}, metadata: {} });
    await sdk.updateRoom("clear", { usersAccesses: { b: ["room:write"] } });
    // The SDK itself cannot send it (its client-side normalising throws on a null map); roomgate's facade can.
    expect((await liveblocks.updateRoom("clear", { usersAccesses: null })).usersAccesses).toEqual({});
    const upsert = await call("POST", "/v2/rooms/clear/upsert", { update: { metadata: null, organizationId: "x" } });
    expect(upsert.status).toBe(200);
  });

  it("unserved SDK routes - 501 NOT_IMPLEMENTED naming the feature (was 404); unknown paths stay 404", async () => {
    const { call } = await server();
    const cases: Array<[string, string, RegExp]> = [
      ["POST", "/v2/rooms/r/presence", /setting presence/],
      ["POST", "/v2/rooms/r/broadcast-event", /broadcasting events/],
      ["GET", "/v2/rooms/r/storage", /Storage/],
      ["GET", "/v2/rooms/r/ydoc", /Yjs/],
      ["GET", "/v2/rooms/r/threads/t/comments/c", /comments and threads/],
      ["GET", "/v2/users/u/inbox-notifications", /inbox notifications/],
      ["POST", "/v2/inbox-notifications/trigger", /inbox notifications/],
      ["GET", "/v2/ai/copilots", /AI copilots/],
    ];
    for (const [method, path, what] of cases) {
      const answer = await call(method, path, method === "POST" ? {} : undefined);
      expect(answer.status, path).toBe(501);
      const body = (await answer.json()) as { error: string; message: string };
      expect(body.error).toBe("NOT_IMPLEMENTED");
      expect(body.message).toMatch(/^roomgate does not implement .+; see README$/);
      expect(body.message).toMatch(what);
    }
    expect((await call("GET", "/v2/nothing-here")).status).toBe(404);
    expect((await call("GET", "/v2/rooms/r/nothing-here")).status).toBe(404);
  });

  it("unreachable store - a connection error answers 503 STORE_UNAVAILABLE with Retry-After (was 500), and onError hears it", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const memory = new MemoryStore();
    const down: RoomStore = Object.assign(Object.create(memory) as RoomStore, {
      get: () => Promise.reject(new AggregateError([refused], "")),
      list: () => Promise.reject(new TypeError("fetch failed", { cause: refused })),
    });
    const onError = vi.fn();
    const { call } = await server({ onError }, down);
    for (const path of ["/v2/rooms/r", "/v2/rooms"]) {
      const answer = await call("GET", path);
      expect(answer.status, path).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("1");
      expect(await answer.json()).toMatchObject({ error: "STORE_UNAVAILABLE" });
    }
    expect(onError).toHaveBeenCalledTimes(2);
  });

  it("unreachable store - a PostgresStore whose server refuses connections answers 503 (was 500)", async () => {
    // A port nothing listens on: take one from the OS, then close it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const store = new PostgresStore({ connectionString: `postgres://roomgate@127.0.0.1:${port}/roomgate` });
    try {
      const { call } = await server({ onError: () => {} }, store);
      const answer = await call("GET", "/v2/rooms/r");
      expect(answer.status).toBe(503);
      expect(await answer.json()).toMatchObject({ error: "STORE_UNAVAILABLE" });
    } finally {
      await store.close().catch(() => {});
    }
  });
});
