/**
 * A y-websocket backend: `@y/websocket-server` for the Yjs documents,
 * roomgate for who may open them, and the REST API on the same port (so
 * `@liveblocks/node`'s `getActiveUsers` works against it). A document name
 * is a room id; a client passes the ID token your auth endpoint made with
 * `identifyUser` as `params: { token }`.
 *
 *   ROOMGATE_SECRET=$(npm run -s secret) npx tsx examples/y-websocket/server.ts   (from the repository root)
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Liveblocks } from "roomgate";
import { createRequestHandler, toNodeListener } from "roomgate/http";
import { YWebsocketGate } from "roomgate/y-websocket";
import { docs } from "@y/websocket-server/utils";
import { WebSocketServer } from "ws";

/** The server on `port` (0: any free one): Yjs over WebSocket and REST v2 over HTTP. */
export async function startYServer(liveblocks: Liveblocks, port = 1234): Promise<{ url: string; stop: () => Promise<void> }> {
  const gate = new YWebsocketGate({ liveblocks });
  const wss = new WebSocketServer({ noServer: true });
  const http = createServer(toNodeListener(createRequestHandler(liveblocks)));
  http.on("upgrade", (request, socket, head) => void gate.handleUpgrade(wss, request, socket, head));
  await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`,
    stop: async () => {
      gate.closeAll();
      await new Promise((resolve) => wss.close(resolve));
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      // @y/websocket-server keeps every document (and its presence timer) for the life of the process.
      for (const doc of docs.values()) doc.destroy();
      docs.clear();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secret = process.env["ROOMGATE_SECRET"];
  if (secret === undefined) {
    console.error("ROOMGATE_SECRET is not set. Make one with `npx roomgate secret` and keep it: tokens are signed with it.");
    process.exit(1);
  }
  const { url } = await startYServer(new Liveblocks({ secret }), Number(process.env["PORT"] ?? 1234));
  console.log(`y-websocket with roomgate on ${url}`);
}
