/** A `node:http` server on loopback serving `@y/websocket-server` behind the gate, and real `WebsocketProvider` clients. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import type { Liveblocks } from "../../src/index.js";
import { YWebsocketGate } from "../../src/y-websocket/index.js";

export { sleep, until } from "../realtime/wait.js";

export type YClient = {
  provider: WebsocketProvider;
  doc: Y.Doc;
  text: Y.Text;
  /** Close frames the server sent this client. */
  closes: { code: number; reason: string }[];
  /** Whether the provider ever synced. */
  synced: boolean;
  /** Messages the client received (any byte of the document would be one). */
  received: number;
  destroy(): void;
};

export async function startYServer(liveblocks: Liveblocks) {
  const gate = new YWebsocketGate({ liveblocks });
  const wss = new WebSocketServer({ noServer: true });
  const http = createServer((_request, response) => response.end("okay"));
  http.on("upgrade", (request, socket, head) => void gate.handleUpgrade(wss, request, socket, head));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const stop = async () => {
    gate.closeAll();
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  };
  return { gate, url, stop };
}

export function connectY(url: string, roomId: string, token: string): YClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(url, roomId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as never,
    // Providers of one process would otherwise sync over a BroadcastChannel, past the server.
    disableBc: true,
    maxBackoffTime: 200,
  });
  const client: YClient = {
    provider,
    doc,
    text: doc.getText("body"),
    closes: [],
    synced: false,
    received: 0,
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
  provider.on("connection-close", (event) => {
    if (event) client.closes.push({ code: event.code, reason: event.reason });
  });
  provider.on("sync", (synced: boolean) => {
    if (synced) client.synced = true;
  });
  // Count every message the socket delivers, whatever the provider makes of it.
  provider.on("status", ({ status }: { status: string }) => {
    if (status === "connected") provider.ws?.addEventListener("message", () => client.received++);
  });
  return client;
}
