/** A `node:http` server on loopback with `ws` behind `WebSocketGate`, relaying each room's messages from writers. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { MemoryStore, type RevocationEvent, type RoomChangeEvent, type Liveblocks } from "../../src/index.js";
import { type GatedConnection, WebSocketGate, type WebSocketGateOptions } from "../../src/websocket/index.js";

/** A MemoryStore that counts its live subscriptions (room changes and revocations), to see that watches leave none behind. */
export class CountingStore extends MemoryStore {
  listeners = 0;
  override subscribe(listener: (event: RoomChangeEvent) => void): () => void {
    return this.#count(super.subscribe(listener));
  }
  override subscribeRevocations(listener: (event: RevocationEvent) => void): () => void {
    return this.#count(super.subscribeRevocations(listener));
  }
  #count(off: () => void): () => void {
    this.listeners++;
    let done = false;
    return () => {
      if (!done) this.listeners--;
      done = true;
      off();
    };
  }
}

export async function startWsServer(liveblocks: Liveblocks, options: Omit<WebSocketGateOptions<WebSocket>, "liveblocks"> = {}) {
  const readOnlyCalls: { userId: string; readOnly: boolean }[] = [];
  const gate = new WebSocketGate<WebSocket>({
    liveblocks,
    ...options,
    ...(options.onReadOnly !== undefined && {
      onReadOnly: (connection) => {
        readOnlyCalls.push({ userId: connection.userId, readOnly: connection.readOnly });
        options.onReadOnly!(connection);
      },
    }),
  });
  const wss = new WebSocketServer({ noServer: true });
  const open = new Set<GatedConnection<WebSocket>>();
  const http = createServer((_request, response) => response.end("okay"));
  // The app: welcome each admitted socket, relay writers' messages to the room.
  http.on("upgrade", async (request, socket, head) => {
    const connection = await gate.handleUpgrade(wss, request, socket, head);
    if (connection === undefined) return;
    open.add(connection);
    connection.socket.send(`welcome ${connection.userId} ${connection.readOnly ? "reader" : "writer"}`);
    connection.socket.on("message", (data) => {
      if (connection.readOnly) return;
      for (const other of open) if (other !== connection && other.roomId === connection.roomId) other.socket.send(String(data));
    });
    connection.socket.on("close", () => open.delete(connection));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const stop = async () => {
    gate.closeAll();
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  };
  return { gate, url, stop, readOnlyCalls };
}

export type WsClient = {
  socket: WebSocket;
  messages: string[];
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
};

export function connectWs(url: string, protocols?: string[], headers?: Record<string, string>): WsClient {
  const socket = new WebSocket(url, protocols, headers === undefined ? {} : { headers });
  const messages: string[] = [];
  socket.on("message", (data) => messages.push(String(data)));
  socket.on("error", () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on("close", (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const opened = new Promise<void>((resolve) => socket.on("open", () => resolve()));
  return { socket, messages, closed, opened };
}
