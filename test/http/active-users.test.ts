/**
 * `GET /v2/rooms/:roomId/active-users` answered from the connections the
 * realtime gates of the serving process hold, read by the official
 * `@liveblocks/node` `getActiveUsers` over real HTTP; the users connect with
 * real `ws` clients through `WebSocketGate` on the same loopback server.
 */
import { Liveblocks as Official, LiveblocksError as OfficialError } from "@liveblocks/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { Liveblocks, MemoryStore } from "../../src/index.js";
import { WebSocketGate } from "../../src/websocket/index.js";
import { SECRET, type TestServer, startServer } from "./helpers.js";
import { connectWs, type WsClient } from "../websocket/helpers.js";
import { until } from "../realtime/wait.js";

const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
const wss = new WebSocketServer({ noServer: true });
let server: TestServer;
let sdk: Official;
const clients: WsClient[] = [];

beforeAll(async () => {
  server = await startServer(liveblocks);
  const gate = new WebSocketGate<WebSocket>({ liveblocks });
  server.server.on("upgrade", async (request, socket, head) => {
    const connection = await gate.handleUpgrade(wss, request, socket, head);
    connection?.socket.send("welcome");
  });
  sdk = new Official({ secret: SECRET, baseUrl: server.url });
});
afterAll(async () => {
  for (const client of clients) client.socket.terminate();
  await new Promise((resolve) => wss.close(resolve));
  await server.close();
});

async function join(roomId: string, userId: string, userInfo?: { name: string; color: string }): Promise<WsClient> {
  const { body } = await liveblocks.identifyUser(userId, userInfo === undefined ? {} : { userInfo });
  const token = (JSON.parse(body) as { token: string }).token;
  const client = connectWs(`${server.url.replace("http", "ws")}/${roomId}?token=${token}`);
  clients.push(client);
  await until(() => client.messages.includes("welcome"), 3000, `${userId} admitted`);
  return client;
}

describe("GET /v2/rooms/:roomId/active-users", () => {
  it("getActiveUsers (official SDK) - the connected users in Liveblocks' shape, one per connection; a closed one is gone", async () => {
    await liveblocks.createRoom("board", { defaultAccesses: ["room:write"] });
    await liveblocks.createRoom("elsewhere", { defaultAccesses: ["room:write"] });
    expect(await sdk.getActiveUsers("board")).toEqual({ data: [] });
    const alice = await join("board", "alice", { name: "Alice", color: "#f00" });
    await join("board", "bob");
    await join("board", "alice", { name: "Alice", color: "#f00" });
    await join("elsewhere", "carol");
    const { data } = await sdk.getActiveUsers("board");
    const ids = data.map((user) => user.connectionId);
    expect(new Set(ids).size).toBe(3);
    expect(data).toEqual([
      { type: "user", id: "alice", connectionId: ids[0], info: { name: "Alice", color: "#f00" } },
      { type: "user", id: "bob", connectionId: ids[1], info: {} },
      { type: "user", id: "alice", connectionId: ids[2], info: { name: "Alice", color: "#f00" } },
    ]);
    alice.socket.close(1000);
    await alice.closed;
    await until(() => liveblocks.presence.activeUsers("board").length === 2, 2000, "alice's first connection gone");
    expect((await sdk.getActiveUsers("board")).data.map((user) => [user.id, user.connectionId])).toEqual([
      ["bob", ids[1]],
      ["alice", ids[2]],
    ]);
    // The OpenAPI document's spelling answers the same.
    const documented = await server.call("GET", "/v2/rooms/board/active_users");
    expect(documented.status).toBe(200);
    expect(await documented.json()).toEqual(await sdk.getActiveUsers("board"));
  });

  it("getActiveUsers (official SDK) - a room that does not exist is 404 ROOM_NOT_FOUND; a wrong secret is 403", async () => {
    const missing = await sdk.getActiveUsers("no-such-room").then(
      () => expect.fail("expected a rejection"),
      (error: unknown) => error as OfficialError,
    );
    expect(missing).toBeInstanceOf(OfficialError);
    expect(missing.status).toBe(404);
    const stranger = new Official({ secret: "sk_test_someone_else_0123456789", baseUrl: server.url });
    const refused = await stranger.getActiveUsers("board").then(
      () => expect.fail("expected a rejection"),
      (error: unknown) => error as OfficialError,
    );
    expect(refused.status).toBe(403);
  });
});
