/**
 * `roomgate/websocket` on a real `node:http` + `ws` server on loopback with
 * real `ws` clients: token sources, refusals with Liveblocks' close codes,
 * read-only (enforced by the app, or refused when it cannot), live
 * downgrade, removal, revocation, deletion, expiry and presence.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Liveblocks, MemoryStore, generateSecret } from "../../src/index.js";
import { CLOSE_CODES, READ_ONLY_UNENFORCEABLE, type WebSocketGateOptions } from "../../src/websocket/index.js";
import type { WebSocket } from "ws";
import { type WsClient, connectWs, startWsServer } from "./helpers.js";
import { until } from "../realtime/wait.js";

const SECRET = generateSecret();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Omit<WebSocketGateOptions<WebSocket>, "liveblocks"> = {}, clock = { offset: 0 }) {
  const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore(), now: () => Date.now() + clock.offset });
  const server = await startWsServer(liveblocks, options);
  cleanups.push(server.stop);
  const connect = (path: string, protocols?: string[], headers?: Record<string, string>): WsClient => {
    const client = connectWs(`${server.url}${path}`, protocols, headers);
    cleanups.push(() => client.socket.terminate());
    return client;
  };
  const token = async (userId: string, organizationId?: string) =>
    (JSON.parse((await liveblocks.identifyUser({ userId, ...(organizationId && { organizationId }) })).body) as { token: string }).token;
  return { liveblocks, server, connect, token, clock };
}

const welcomed = (client: WsClient, text: string) => until(() => client.messages.includes(text), 2000, text);

describe("WebSocketGate", () => {
  it("handleUpgrade - reads the token from the query, a subprotocol or a header, as the app chooses", async () => {
    const query = await setup();
    await query.liveblocks.createRoom("doc", { defaultAccesses: ["room:write"] });
    const a = query.connect(`/doc?token=${await query.token("ada")}`);
    await welcomed(a, "welcome ada writer");

    const protocol = await setup({ token: { protocol: "roomgate" } });
    await protocol.liveblocks.createRoom("doc", { defaultAccesses: ["room:write"] });
    const b = protocol.connect("/doc", ["roomgate", await protocol.token("bo")]);
    await welcomed(b, "welcome bo writer");
    expect(b.socket.protocol).toBe("roomgate");

    const header = await setup({ token: { header: "authorization" } });
    await header.liveblocks.createRoom("doc", { defaultAccesses: ["room:write"] });
    const c = header.connect("/doc", undefined, { authorization: `Bearer ${await header.token("cy")}` });
    await welcomed(c, "welcome cy writer");
    // The token in the wrong place is no token.
    const d = header.connect(`/doc?token=${await header.token("cy")}`);
    expect((await d.closed).code).toBe(CLOSE_CODES.NOT_ALLOWED);
  });

  it("handleUpgrade - refuses with Liveblocks' close codes and a reason of at most 123 bytes", async () => {
    const clock = { offset: 0 };
    const { liveblocks, connect, token } = await setup({ onReadOnly: () => {} }, clock);
    await liveblocks.createRoom("doc", { defaultAccesses: [], usersAccesses: { ada: ["room:write"] } });
    await liveblocks.createRoom("acme-doc", { defaultAccesses: ["room:write"], organizationId: "acme" });
    const forged = (JSON.parse((await new Liveblocks({ secret: generateSecret() }).identifyUser("ada")).body) as { token: string }).token;
    clock.offset -= 2 * 3600_000;
    const expired = await token("ada");
    clock.offset += 2 * 3600_000;
    const cases: [string, number][] = [
      [`/doc?token=${await token("eve")}`, CLOSE_CODES.NOT_ALLOWED],
      [`/doc?token=${forged}`, CLOSE_CODES.NOT_ALLOWED],
      [`/doc?token=garbage`, CLOSE_CODES.NOT_ALLOWED],
      [`/doc`, CLOSE_CODES.NOT_ALLOWED],
      [`/doc?token=${expired}`, CLOSE_CODES.TOKEN_EXPIRED],
      [`/acme-doc?token=${await token("ada")}`, CLOSE_CODES.NOT_ALLOWED],
      [`/no-such-room?token=${await token("ada")}`, CLOSE_CODES.NOT_ALLOWED],
      [`/?token=${await token("ada")}`, CLOSE_CODES.NOT_ALLOWED],
      [`/${"é".repeat(300)}?token=${await token("ada")}`, CLOSE_CODES.NOT_ALLOWED],
    ];
    const clients = cases.map(([path]) => connect(path));
    const closes = await Promise.all(clients.map((client) => client.closed));
    closes.forEach((close, i) => {
      expect(close.code, cases[i]![0]).toBe(cases[i]![1]);
      expect(close.reason.length, cases[i]![0]).toBeGreaterThan(0);
      expect(Buffer.byteLength(close.reason)).toBeLessThanOrEqual(123);
      expect(clients[i]!.messages, cases[i]![0]).toEqual([]);
    });
    expect(closes[5]!.reason).toContain("organization");
  });

  it("read-only - without onReadOnly a reader is refused and a downgraded writer is closed", async () => {
    const { liveblocks, connect, token } = await setup();
    await liveblocks.createRoom("doc", { defaultAccesses: [], usersAccesses: { ada: ["room:write"], reader: ["room:read"] } });
    const reader = connect(`/doc?token=${await token("reader")}`);
    expect(await reader.closed).toEqual({ code: CLOSE_CODES.NOT_ALLOWED, reason: READ_ONLY_UNENFORCEABLE });
    const ada = connect(`/doc?token=${await token("ada")}`);
    await welcomed(ada, "welcome ada writer");
    await liveblocks.updateRoom("doc", { usersAccesses: { ada: ["room:read"] } });
    expect(await ada.closed).toEqual({ code: CLOSE_CODES.NOT_ALLOWED, reason: READ_ONLY_UNENFORCEABLE });
  });

  it("read-only - with onReadOnly a reader is admitted read-only; a live downgrade calls it and the app stops relaying", async () => {
    const { liveblocks, server, connect, token } = await setup({ onReadOnly: () => {} });
    await liveblocks.createRoom("doc", {
      defaultAccesses: [],
      usersAccesses: { ada: ["room:write"], bo: ["room:write"], reader: ["room:read"] },
    });
    const ada = connect(`/doc?token=${await token("ada")}`);
    const bo = connect(`/doc?token=${await token("bo")}`);
    const reader = connect(`/doc?token=${await token("reader")}`);
    await Promise.all([welcomed(ada, "welcome ada writer"), welcomed(bo, "welcome bo writer"), welcomed(reader, "welcome reader reader")]);
    reader.socket.send("from reader");
    ada.socket.send("from ada 1");
    await until(() => bo.messages.includes("from ada 1") && reader.messages.includes("from ada 1"), 2000, "ada's first message");
    expect(bo.messages).not.toContain("from reader");
    await liveblocks.updateRoom("doc", { usersAccesses: { ada: ["room:read"] } });
    await until(() => server.readOnlyCalls.length === 1, 2000, "onReadOnly");
    expect(server.readOnlyCalls).toEqual([{ userId: "ada", readOnly: true }]);
    ada.socket.send("from ada 2");
    bo.socket.send("from bo");
    await until(() => ada.messages.includes("from bo"), 2000, "bo's message at ada");
    expect(bo.messages).not.toContain("from ada 2");
    expect(reader.messages).not.toContain("from ada 2");
    await liveblocks.updateRoom("doc", { usersAccesses: { ada: ["room:write"] } });
    await until(() => server.readOnlyCalls.length === 2, 2000, "onReadOnly back");
    expect(server.readOnlyCalls[1]).toEqual({ userId: "ada", readOnly: false });
  });

  it("watch - removal and deletion close with 4001, revocation with 4100, expiry with 4109", async () => {
    const clock = { offset: 0 };
    const { liveblocks, server, connect, token } = await setup({}, clock);
    await liveblocks.createRoom("doc", {
      defaultAccesses: [],
      usersAccesses: { ada: ["room:write"], bo: ["room:write"], cy: ["room:write"] },
    });
    await liveblocks.createRoom("other", { defaultAccesses: ["room:write"] });
    const ada = connect(`/doc?token=${await token("ada")}`);
    const bo = connect(`/doc?token=${await token("bo")}`);
    const cy = connect(`/other?token=${await token("cy")}`);
    // A token that expires about a second from now: issued an hour (its lifetime) earlier.
    clock.offset -= 3600_000 - 1000;
    const soon = await token("dee");
    clock.offset += 3600_000 - 1000;
    const dee = connect(`/other?token=${soon}`);
    await Promise.all([
      welcomed(ada, "welcome ada writer"),
      welcomed(bo, "welcome bo writer"),
      welcomed(cy, "welcome cy writer"),
      welcomed(dee, "welcome dee writer"),
    ]);
    expect(server.gate.size).toBe(4);
    await liveblocks.updateRoom("doc", { usersAccesses: { ada: null } });
    expect((await ada.closed).code).toBe(CLOSE_CODES.NOT_ALLOWED);
    await liveblocks.revokeTokens({ userId: "bo" });
    expect((await bo.closed).code).toBe(CLOSE_CODES.KICKED);
    expect((await dee.closed).code).toBe(CLOSE_CODES.TOKEN_EXPIRED);
    await liveblocks.deleteRoom("other");
    expect((await cy.closed).code).toBe(CLOSE_CODES.NOT_ALLOWED);
    await until(() => server.gate.size === 0, 2000, "no held connection");
  });

  it("presence - admissions and closes reach subscribePresence and getActiveUsers", async () => {
    const { liveblocks, connect, token } = await setup();
    await liveblocks.createRoom("doc", { defaultAccesses: ["room:write"] });
    const events: string[] = [];
    cleanups.push(liveblocks.subscribePresence((event) => events.push(`${event.type} ${event.userId} ${event.numActiveUsers}`)));
    const ada = connect(`/doc?token=${await token("ada")}`);
    await welcomed(ada, "welcome ada writer");
    const bo = connect(`/doc?token=${await token("bo")}`);
    await welcomed(bo, "welcome bo writer");
    const { data } = await liveblocks.getActiveUsers("doc");
    expect(data.map((user) => user.id)).toEqual(["ada", "bo"]);
    expect(data[0]!.connectionId).toBeLessThan(data[1]!.connectionId);
    ada.socket.close(1000);
    await until(() => events.length === 3, 2000, "userLeft");
    expect(events).toEqual(["userEntered ada 1", "userEntered bo 2", "userLeft ada 1"]);
    expect((await liveblocks.getActiveUsers("doc")).data.map((user) => user.id)).toEqual(["bo"]);
  });
});
