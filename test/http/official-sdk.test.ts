/**
 * The official `@liveblocks/node` 3.24.2, with `baseUrl` at `roomgate serve`
 * on loopback: every call it makes arrives over real HTTP and is parsed by
 * its own code, so what it accepts is what roomgate answers.
 */
import { createClient } from "@liveblocks/client";
import { Liveblocks as Official, LiveblocksError as OfficialError } from "@liveblocks/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Liveblocks } from "../../src/index.js";
import { type ServeProcess, spawnServe } from "../cli/helpers.js";
import { RecordingWebSocket } from "../compat/recording-websocket.js";

const SECRET = "sk_test_roomgate_official_sdk_0123456789";
let serve: ServeProcess;
let sdk: Official;
// Same secret, so it verifies the tokens the server signs.
const local = new Liveblocks({ secret: SECRET });

beforeAll(async () => {
  serve = await spawnServe(["--secret", SECRET]);
  sdk = new Official({ secret: SECRET, baseUrl: serve.url });
}, 60_000);
afterAll(async () => {
  expect(await serve.stop()).toBe(0);
});

async function rejection(promise: Promise<unknown>): Promise<OfficialError> {
  const error = await promise.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OfficialError);
  expect((error as OfficialError).message.length).toBeGreaterThan(0);
  expect((error as OfficialError).message).not.toBe("An error happened without an error message");
  return error as OfficialError;
}

/** The token `@liveblocks/client` connects with, taken from an auth endpoint that calls the official SDK. */
async function clientConnectionToken(authEndpoint: () => Promise<{ token: string }>, roomId: string): Promise<string> {
  RecordingWebSocket.urls = [];
  const client = createClient({
    authEndpoint,
    polyfills: { WebSocket: RecordingWebSocket as unknown as typeof WebSocket },
    // Internal option of the client; keeps every connection attempt on loopback.
    ...({ baseUrl: "http://127.0.0.1:9" } as object),
  });
  const { leave } = client.enterRoom(roomId, { initialPresence: {} });
  await vi.waitFor(() => expect(RecordingWebSocket.urls.length).toBeGreaterThan(0), { timeout: 5000 });
  leave();
  return new URL(RecordingWebSocket.urls[0]!).searchParams.get("tok")!;
}

describe("@liveblocks/node against roomgate serve", () => {
  it("identifyUser - answers a token that roomgate verifies and @liveblocks/client connects with", async () => {
    await sdk.createRoom("sdk-id-room", {
      defaultAccesses: [],
      usersAccesses: { alice: ["room:write"] },
    });
    const { status, body } = await sdk.identifyUser({ userId: "alice", groupIds: ["eng"] }, { userInfo: { name: "Alice" } });
    expect(status).toBe(200);
    const { token } = JSON.parse(body) as { token: string };
    expect(await local.verifyToken(token, { kind: "id" })).toMatchObject({
      uid: "alice",
      gids: ["eng"],
      ui: { name: "Alice" },
    });
    const connected = await clientConnectionToken(
      async () => JSON.parse((await sdk.identifyUser("alice")).body) as { token: string },
      "sdk-id-room",
    );
    expect(await local.verifyToken(connected)).toMatchObject({ uid: "alice" });
    const check = await fetch(`${serve.url}/v2/rooms/sdk-id-room/check-access`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
      body: JSON.stringify({ token: connected }),
    });
    expect(await check.json()).toMatchObject({ allowed: true, canWrite: true });
  });

  it("prepareSession/authorize - answers an access token with the session's permissions", async () => {
    const session = sdk.prepareSession("bob", { userInfo: { name: "Bob" } });
    session.allow("sdk-org:*", session.READ_ACCESS);
    const { status, body } = await session.authorize();
    expect(status).toBe(200);
    const { token } = JSON.parse(body) as { token: string };
    expect(await local.verifyToken(token, { kind: "acc" })).toMatchObject({
      uid: "bob",
      perms: { "sdk-org:*": ["*:read"] },
    });
    const connected = await clientConnectionToken(async () => {
      const s = sdk.prepareSession("bob");
      s.allow("sdk-org:*", s.FULL_ACCESS);
      return JSON.parse((await s.authorize()).body) as { token: string };
    }, "sdk-org:1");
    expect(await local.verifyToken(connected)).toMatchObject({
      k: "acc",
      uid: "bob",
    });
  });

  it("identifyUser - a rejected identity arrives as the failing status and a message", async () => {
    const { status, body } = await sdk.identifyUser({
      userId: "alice",
      groupIds: ["x".repeat(1000)],
    });
    expect(status).toBe(422);
    expect(JSON.parse(body)).toMatchObject({
      message: expect.stringMatching(/groupIds/),
    });
  });

  it("rooms - create, getOrCreate, upsert, get, update, rename and delete round-trip through the SDK", async () => {
    const created = await sdk.createRoom("sdk-room", {
      defaultAccesses: ["room:read"],
      usersAccesses: { alice: ["room:write"] },
      groupsAccesses: { eng: ["room:read"] },
      metadata: { status: "open", tags: ["a", "b"] },
    });
    expect(created).toMatchObject({
      type: "room",
      id: "sdk-room",
      organizationId: "default",
      defaultAccesses: ["room:read"],
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(Number.isNaN(created.createdAt.getTime())).toBe(false);

    const again = await sdk.getOrCreateRoom("sdk-room", {
      defaultAccesses: [],
    });
    expect(again.defaultAccesses).toEqual(["room:read"]);
    expect(
      (
        await sdk.getOrCreateRoom("sdk-fresh", {
          defaultAccesses: ["room:write"],
        })
      ).defaultAccesses,
    ).toEqual(["room:write"]);

    const upserted = await sdk.upsertRoom("sdk-upsert", {
      update: { metadata: { v: "1" } },
      create: { defaultAccesses: ["room:write"] },
    });
    expect(upserted).toMatchObject({
      id: "sdk-upsert",
      defaultAccesses: ["room:write"],
      metadata: { v: "1" },
    });
    expect((await sdk.upsertRoom("sdk-upsert", { update: { metadata: { v: "2" } } })).metadata).toEqual({ v: "2" });

    const updated = await sdk.updateRoom("sdk-room", {
      usersAccesses: { alice: null, bob: ["room:write"] },
      groupsAccesses: { eng: ["room:write"], ops: ["room:read"] },
      metadata: { status: null, owner: "bob" },
    });
    expect(updated.usersAccesses).toEqual({ bob: ["room:write"] });
    expect(updated.groupsAccesses).toEqual({
      eng: ["room:write"],
      ops: ["room:read"],
    });
    expect(updated.metadata).toEqual({ tags: ["a", "b"], owner: "bob" });
    expect((await sdk.getRoom("sdk-room")).metadata).toEqual({
      tags: ["a", "b"],
      owner: "bob",
    });

    const renamed = await sdk.updateRoomId({
      currentRoomId: "sdk-room",
      newRoomId: "sdk-room-2",
    });
    expect(renamed.id).toBe("sdk-room-2");
    expect((await rejection(sdk.getRoom("sdk-room"))).status).toBe(404);

    await sdk.deleteRoom("sdk-room-2");
    const missing = await rejection(sdk.getRoom("sdk-room-2"));
    expect(missing.status).toBe(404);
    expect(missing.message).toBe('Room with id "sdk-room-2" not found.');
  });

  it("getRooms / iterRooms - filters by userId, groupIds, metadata and query, and paginates", async () => {
    for (let i = 0; i < 7; i++) {
      await sdk.createRoom(`list:${i}`, {
        defaultAccesses: [],
        usersAccesses: i % 2 === 0 ? { carol: ["room:write"] } : {},
        groupsAccesses: i === 3 ? { design: ["room:read"] } : {},
        metadata: { color: i < 4 ? "red" : "blue" },
      });
    }
    const ids = (rooms: { id: string }[]) => rooms.map((room) => room.id).sort();
    expect(ids((await sdk.getRooms({ userId: "carol" })).data)).toEqual(["list:0", "list:2", "list:4", "list:6"]);
    expect(
      ids(
        (
          await sdk.getRooms({
            userId: "carol",
            groupIds: ["design", "nobody"],
          })
        ).data,
      ),
    ).toEqual(["list:0", "list:2", "list:3", "list:4", "list:6"]);
    expect(
      ids(
        (
          await sdk.getRooms({
            query: {
              metadata: { color: "blue" },
              roomId: { startsWith: "list:" },
            },
          })
        ).data,
      ),
    ).toEqual(["list:4", "list:5", "list:6"]);
    expect(
      ids(
        (
          await sdk.getRooms({
            query: 'roomId^"list:" AND metadata["color"]:"red"',
          })
        ).data,
      ),
    ).toEqual(["list:0", "list:1", "list:2", "list:3"]);
    const page = await sdk.getRooms({
      query: { roomId: { startsWith: "list:" } },
      limit: 3,
    });
    expect(page.data).toHaveLength(3);
    expect(typeof page.nextCursor).toBe("string");
    // The SDK's smallest page is 20: 45 rooms take three pages.
    const many = Array.from({ length: 45 }, (_, i) => `many:${String(i).padStart(2, "0")}`);
    for (const id of many) await sdk.createRoom(id, { defaultAccesses: [] });
    const all: string[] = [];
    for await (const room of sdk.iterRooms({ query: { roomId: { startsWith: "many:" } } }, { pageSize: 20 })) {
      all.push(room.id);
    }
    expect(all.sort()).toEqual(many);
  });

  it("errors - arrive as the SDK's LiveblocksError with the status and a message", async () => {
    await sdk.createRoom("sdk-dup", { defaultAccesses: [] });
    expect((await rejection(sdk.createRoom("sdk-dup", { defaultAccesses: [] }))).status).toBe(409);
    const invalid = await rejection(sdk.createRoom("bad*id", { defaultAccesses: [] }));
    expect(invalid.status).toBe(422);
    expect((await rejection(sdk.getRooms({ limit: 1000 }))).status).toBe(422);
    expect((await rejection(sdk.updateRoom("sdk-missing", { metadata: { a: "1" } }))).status).toBe(404);
    const wrongSecret = new Official({
      secret: "sk_wrong_secret_0123456789",
      baseUrl: serve.url,
    });
    expect((await rejection(wrongSecret.getRoom("sdk-dup"))).status).toBe(403);
  });
});
