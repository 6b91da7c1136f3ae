/**
 * `roomgate/y-websocket` with `@y/websocket-server` on loopback and real
 * `y-websocket` `WebsocketProvider`s (Node, `ws`): entry, read-only on the
 * wire, live downgrades, removal, revocation, other organizations and
 * forged, expired or garbage tokens.
 */
import { docs } from "@y/websocket-server/utils";
import * as encoding from "lib0/encoding";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { Liveblocks, MemoryStore, generateSecret } from "../../src/index.js";
import { REFUSED_FOREIGN_AWARENESS } from "../../src/realtime/yjs-wire.js";
import { Y_CLOSE_CODES } from "../../src/y-websocket/index.js";
import { type YClient, connectY, sleep, startYServer, until } from "./helpers.js";

const SECRET = generateSecret();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let rooms = 0;
/** A room id no other test uses: `@y/websocket-server` keeps its documents for the whole process. */
const freshRoom = () => `y-room-${process.pid}-${++rooms}`;

async function setup(clock = { offset: 0 }) {
  const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore(), now: () => Date.now() + clock.offset });
  const server = await startYServer(liveblocks);
  cleanups.push(server.stop);
  const connect = (roomId: string, token: string): YClient => {
    const client = connectY(server.url, roomId, token);
    cleanups.push(() => client.destroy());
    return client;
  };
  const token = async (userId: string, organizationId?: string) =>
    (
      JSON.parse(
        (await liveblocks.identifyUser({ userId, ...(organizationId && { organizationId }) }, { userInfo: { name: userId } })).body,
      ) as { token: string }
    ).token;
  return { liveblocks, server, connect, token, clock };
}

describe("YWebsocketGate", () => {
  it("handleUpgrade - writers sync both ways; getActiveUsers lists them in the SDK's shape", async () => {
    const { liveblocks, connect, token } = await setup();
    const roomId = freshRoom();
    await liveblocks.createRoom(roomId, { defaultAccesses: ["room:write"] });
    const alice = connect(roomId, await token("alice"));
    const bob = connect(roomId, await token("bob"));
    await until(() => alice.synced && bob.synced, 3000, "sync");
    alice.text.insert(0, "hello");
    await until(() => bob.text.toString() === "hello", 2000, "alice's edit at bob");
    bob.text.insert(5, " world");
    await until(() => alice.text.toString() === "hello world", 2000, "bob's edit at alice");
    const { data } = await liveblocks.getActiveUsers(roomId);
    expect(data.map(({ id, info, type }) => ({ id, info, type })).sort((a, b) => a.id!.localeCompare(b.id!))).toEqual([
      { type: "user", id: "alice", info: { name: "alice" } },
      { type: "user", id: "bob", info: { name: "bob" } },
    ]);
    expect(new Set(data.map((user) => user.connectionId)).size).toBe(2);
    for (const user of data) expect(user.connectionId).toBeGreaterThan(0);
  });

  it("read-only - a reader receives every edit; its own edits reach no one", async () => {
    const { liveblocks, connect, token } = await setup();
    const roomId = freshRoom();
    await liveblocks.createRoom(roomId, {
      defaultAccesses: [],
      usersAccesses: { writer: ["room:write"], reader: ["room:read", "room:presence:write"] },
    });
    const writer = connect(roomId, await token("writer"));
    const reader = connect(roomId, await token("reader"));
    await until(() => writer.synced && reader.synced, 3000, "sync");
    writer.text.insert(0, "from writer");
    await until(() => reader.text.toString() === "from writer", 2000, "writer's edit at reader");
    reader.text.insert(0, "FORGED ");
    // A third client that joins later would get it from the server's document, if the server had applied it.
    const late = connect(roomId, await token("writer"));
    await until(() => late.synced, 3000, "late sync");
    await sleep(300);
    expect(writer.text.toString()).toBe("from writer");
    expect(late.text.toString()).toBe("from writer");
    expect(reader.closes).toEqual([]);
    // Its presence still goes through: the writer sees the reader's awareness entry.
    reader.provider.awareness.setLocalStateField("user", { name: "reader" });
    await until(
      () => [...writer.provider.awareness.getStates().values()].some((s) => (s as { user?: { name?: string } }).user?.name === "reader"),
      2000,
      "reader's presence",
    );
  });

  it("watch - a writer downgraded to read-only: its next edit reaches no one within 1 s, it still receives", async () => {
    const { liveblocks, connect, token } = await setup();
    const roomId = freshRoom();
    await liveblocks.createRoom(roomId, { defaultAccesses: [], usersAccesses: { ada: ["room:write"], bo: ["room:write"] } });
    const ada = connect(roomId, await token("ada"));
    const bo = connect(roomId, await token("bo"));
    await until(() => ada.synced && bo.synced, 3000, "sync");
    ada.text.insert(0, "a");
    await until(() => bo.text.toString() === "a", 2000, "first edit");
    await liveblocks.updateRoom(roomId, { usersAccesses: { ada: ["room:read", "room:presence:write"] } });
    ada.text.insert(1, "b");
    await sleep(1000);
    expect(bo.text.toString()).toBe("a");
    bo.text.insert(0, "c");
    await until(() => ada.text.toString().startsWith("c"), 2000, "bo's edit at ada");
    expect(ada.closes).toEqual([]);
    // Write access back: the provider is sent to reconnect, and its edits sync from there (held-back ones too, as offline edits do).
    await liveblocks.updateRoom(roomId, { usersAccesses: { ada: ["room:write"] } });
    await until(() => ada.closes.length === 1, 2000, "the resync close");
    expect(ada.closes[0]!.code).toBe(Y_CLOSE_CODES.RESYNC);
    await until(() => ada.synced && ada.provider.wsconnected, 3000, "ada's reconnect");
    ada.text.insert(0, "d");
    await until(() => bo.text.toString() === ada.text.toString() && bo.text.toString().startsWith("d"), 3000, "edit after the upgrade");
  });

  it("watch - a removed user is disconnected with 4403 and stops reconnecting; presence follows", async () => {
    const { liveblocks, server, connect, token } = await setup();
    const roomId = freshRoom();
    await liveblocks.createRoom(roomId, { defaultAccesses: [], usersAccesses: { ada: ["room:write"], bo: ["room:write"] } });
    const events: string[] = [];
    cleanups.push(
      liveblocks.subscribePresence(
        (event) => event.roomId === roomId && events.push(`${event.type} ${event.userId} ${event.numActiveUsers}`),
      ),
    );
    const ada = connect(roomId, await token("ada"));
    const bo = connect(roomId, await token("bo"));
    await until(() => ada.synced && bo.synced, 3000, "sync");
    await liveblocks.updateRoom(roomId, { usersAccesses: { bo: null } });
    await until(() => bo.closes.length > 0, 2000, "bo's close");
    expect(bo.closes[0]!.code).toBe(Y_CLOSE_CODES.FORBIDDEN);
    expect(bo.closes[0]!.reason).toContain("may not enter");
    await sleep(400);
    expect(bo.closes).toHaveLength(1);
    expect(bo.provider.shouldConnect).toBe(false);
    ada.text.insert(0, "secret");
    await sleep(200);
    expect(bo.text.toString()).toBe("");
    expect((await liveblocks.getActiveUsers(roomId)).data.map((user) => user.id)).toEqual(["ada"]);
    // Nothing of bob's connection is left: not in the document's connections, not among the gate's watches.
    expect(docs.get(roomId)!.conns.size).toBe(1);
    expect(server.gate.size).toBe(1);
    expect(events.sort()).toEqual(["userEntered ada 1", "userEntered bo 2", "userLeft bo 1"].sort());
  });

  it("watch - a revocation closes with 4401; a deleted room closes with 4403", async () => {
    const { liveblocks, connect, token } = await setup();
    const roomId = freshRoom();
    const other = freshRoom();
    await liveblocks.createRoom(roomId, { defaultAccesses: ["room:write"] });
    await liveblocks.createRoom(other, { defaultAccesses: ["room:write"] });
    const ada = connect(roomId, await token("ada"));
    const bo = connect(other, await token("bo"));
    await until(() => ada.synced && bo.synced, 3000, "sync");
    await liveblocks.revokeTokens({ userId: "ada" });
    await until(() => ada.closes.length > 0, 2000, "ada's close");
    expect(ada.closes[0]!.code).toBe(Y_CLOSE_CODES.TOKEN_ENDED);
    await liveblocks.deleteRoom(other);
    await until(() => bo.closes.length > 0, 2000, "bo's close");
    expect(bo.closes[0]!.code).toBe(Y_CLOSE_CODES.FORBIDDEN);
  });

  it("awareness - a connection that sets another's presence is closed with 1008 and the entry is unchanged", async () => {
    const { liveblocks, server, connect, token } = await setup();
    const roomId = freshRoom();
    await liveblocks.createRoom(roomId, { defaultAccesses: [], usersAccesses: { ada: ["room:write"], eve: ["room:read"] } });
    const ada = connect(roomId, await token("ada"));
    await until(() => ada.synced, 3000, "sync");
    ada.provider.awareness.setLocalStateField("user", { name: "Ada" });
    const observer = connect(roomId, await token("ada"));
    const adaId = ada.doc.clientID;
    const nameAt = (client: YClient) =>
      (observer.provider.awareness.getStates().get(adaId) as { user?: { name?: string } } | undefined)?.user?.name ?? client;
    await until(() => nameAt(observer) === "Ada", 3000, "ada's presence at the observer");
    // Eve, a reader, speaks the wire herself: an awareness entry for Ada's client id at a later clock.
    const eve = new WebSocket(`${server.url}/${roomId}?token=${await token("eve")}`);
    cleanups.push(() => eve.terminate());
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      eve.on("close", (code, reason) => resolve({ code, reason: String(reason) })),
    );
    await new Promise((resolve) => eve.once("open", resolve));
    const body = encoding.createEncoder();
    encoding.writeVarUint(body, 1);
    encoding.writeVarUint(body, adaId);
    encoding.writeVarUint(body, 1000);
    encoding.writeVarString(body, JSON.stringify({ user: { name: "Mallory" } }));
    const forged = encoding.createEncoder();
    encoding.writeVarUint(forged, 1);
    encoding.writeVarUint8Array(forged, encoding.toUint8Array(body));
    eve.send(encoding.toUint8Array(forged));
    expect(await closed).toEqual({ code: Y_CLOSE_CODES.POLICY_VIOLATION, reason: REFUSED_FOREIGN_AWARENESS });
    await sleep(200);
    expect(nameAt(observer)).toBe("Ada");
  });

  it("handleUpgrade - forged, expired, other-organization and garbage tokens never sync nor receive a byte", async () => {
    const clock = { offset: 0 };
    const { liveblocks, server, connect, token } = await setup(clock);
    const roomId = freshRoom();
    await liveblocks.createRoom(roomId, { defaultAccesses: ["room:write"] });
    const writer = connect(roomId, await token("writer"));
    await until(() => writer.synced, 3000, "sync");
    writer.text.insert(0, "private");
    const forger = new Liveblocks({ secret: generateSecret(), store: new MemoryStore() });
    const forged = (JSON.parse((await forger.identifyUser("writer")).body) as { token: string }).token;
    const otherOrg = await token("writer", "globex");
    clock.offset -= 2 * 3600_000;
    const expired = await token("writer");
    clock.offset += 2 * 3600_000;
    const cases: [string, number][] = [
      [forged, Y_CLOSE_CODES.FORBIDDEN],
      [otherOrg, Y_CLOSE_CODES.FORBIDDEN],
      [expired, Y_CLOSE_CODES.TOKEN_ENDED],
      ["garbage", Y_CLOSE_CODES.FORBIDDEN],
      ["", Y_CLOSE_CODES.FORBIDDEN],
    ];
    const clients = cases.map(([t]) => connect(roomId, t));
    await until(() => clients.every((client) => client.closes.length > 0), 3000, "every close");
    await sleep(300);
    clients.forEach((client, i) => {
      expect(client.synced, `case ${i}`).toBe(false);
      expect(client.received, `case ${i}`).toBe(0);
      expect(client.text.toString(), `case ${i}`).toBe("");
      expect(
        client.closes.map((c) => c.code),
        `case ${i}`,
      ).toEqual([cases[i]![1]]);
      expect(Buffer.byteLength(client.closes[0]!.reason)).toBeLessThanOrEqual(123);
    });
    expect(server.gate.size).toBe(1);
    expect((await liveblocks.getActiveUsers(roomId)).data.map((user) => user.id)).toEqual(["writer"]);
  });
});
