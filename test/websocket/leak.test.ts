/**
 * No leak: after 10,000 connect/close cycles the gate holds no watch, the
 * store no subscription, the presence registry no connection and the
 * sockets no listener of the gate. 10,000 real sockets would take most of
 * the test budget, so the 10,000 cycles drive the gate's `accept` → close
 * path with an in-memory socket (every decision is real: token verified,
 * room read, watch started and stopped), and 100 cycles use real `ws`
 * sockets through `handleUpgrade` on loopback.
 */
import { EventEmitter } from "node:events";
import { connect as connectTcp } from "node:net";
import { describe, expect, it } from "vitest";
import { Liveblocks, generateSecret } from "../../src/index.js";
import { WebSocketGate } from "../../src/websocket/index.js";
import { CountingStore, connectWs, startWsServer } from "./helpers.js";
import { until } from "../realtime/wait.js";

/** The part of a `ws` socket the gate uses: `close` emits `close`, as `ws` does. */
class MemorySocket extends EventEmitter {
  readyState = 1;
  closedWith: number | undefined;
  close(code?: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.closedWith = code ?? 1005;
    this.emit("close");
  }
}

async function setup() {
  const store = new CountingStore();
  const liveblocks = new Liveblocks({ secret: generateSecret(), store });
  await liveblocks.createRoom("open", { defaultAccesses: ["room:write"] });
  await liveblocks.createRoom("private", { defaultAccesses: [] });
  const token = (JSON.parse((await liveblocks.identifyUser("ada")).body) as { token: string }).token;
  return { store, liveblocks, token };
}

describe("WebSocketGate - leaks", () => {
  it("accept - 10,000 admit/close cycles (and refusals) leave no watch, subscription, presence or listener", async () => {
    const { store, liveblocks, token } = await setup();
    const gate = new WebSocketGate<MemorySocket>({ liveblocks });
    let admitted = 0;
    let refused = 0;
    let peak = 0;
    const BATCH = 100;
    for (let start = 0; start < 10_000; start += BATCH) {
      const sockets = Array.from({ length: BATCH }, () => new MemorySocket());
      const connections = await Promise.all(
        // Every tenth asks for a room it may not enter: refusals must leave nothing either.
        sockets.map((socket, i) =>
          gate.accept(socket, { url: `/${(start + i) % 10 === 0 ? "private" : "open"}?token=${token}`, headers: {} }),
        ),
      );
      peak = Math.max(peak, gate.size);
      expect(store.listeners).toBe(2); // one room-change and one revocation subscription serve every watch
      for (const [i, socket] of sockets.entries()) {
        if (connections[i] === undefined) refused++;
        else admitted++;
        socket.close(1000);
        expect(socket.listenerCount("close")).toBe(0);
      }
    }
    expect({ admitted, refused }).toEqual({ admitted: 9000, refused: 1000 });
    expect(peak).toBe(90);
    expect(gate.size).toBe(0);
    expect(store.listeners).toBe(0);
    expect(liveblocks.presence.size).toEqual({ connections: 0, rooms: 0, listeners: 0 });
  });

  it("accept - connections closed by the gate (removal) leave nothing behind either", async () => {
    const { store, liveblocks, token } = await setup();
    const gate = new WebSocketGate<MemorySocket>({ liveblocks });
    const sockets = Array.from({ length: 200 }, () => new MemorySocket());
    await Promise.all(sockets.map((socket) => gate.accept(socket, { url: `/open?token=${token}`, headers: {} })));
    expect(gate.size).toBe(200);
    expect(liveblocks.presence.size.connections).toBe(200);
    await liveblocks.updateRoom("open", { defaultAccesses: [] });
    for (const socket of sockets) {
      expect(socket.closedWith).toBe(4001);
      expect(socket.listenerCount("close")).toBe(0);
    }
    expect(gate.size).toBe(0);
    expect(store.listeners).toBe(0);
    expect(liveblocks.presence.size).toEqual({ connections: 0, rooms: 0, listeners: 0 });
  });

  it("handleUpgrade - a handshake ws refuses after the decision (no Sec-WebSocket-Key) ends its watch", async () => {
    const { store, liveblocks, token } = await setup();
    const server = await startWsServer(liveblocks);
    try {
      const { port } = new URL(server.url);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => {
          const socket = connectTcp(Number(port), "127.0.0.1");
          socket.write(`GET /open?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`);
          let answer = "";
          socket.on("data", (chunk) => (answer += String(chunk)));
          return new Promise<string>((resolve) => socket.on("close", () => resolve(answer)));
        }),
      );
      for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 400/);
      await until(() => server.gate.size === 0, 2000, "every watch ended");
      expect(store.listeners).toBe(0);
      expect(liveblocks.presence.size.connections).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it("handleUpgrade - 100 real sockets connected and closed on loopback leave nothing behind", async () => {
    const { store, liveblocks, token } = await setup();
    const server = await startWsServer(liveblocks);
    try {
      for (let round = 0; round < 5; round++) {
        const clients = Array.from({ length: 20 }, () => connectWs(`${server.url}/open?token=${token}`));
        await Promise.all(clients.map((client) => client.opened));
        await until(() => clients.every((client) => client.messages.length === 1), 2000, "welcomes");
        expect(server.gate.size).toBe(20);
        for (const client of clients) client.socket.close(1000);
        await Promise.all(clients.map((client) => client.closed));
        await until(() => server.gate.size === 0, 2000, "every watch ended");
      }
      expect(store.listeners).toBe(0);
      expect(liveblocks.presence.size).toEqual({ connections: 0, rooms: 0, listeners: 0 });
    } finally {
      await server.stop();
    }
  });
});
