/**
 * Two Node clients edit one Yjs document through Hocuspocus; roomgate decides
 * who may write. Alice and Bob both start as editors; then Bob is made
 * read-only with `updateRoom` while connected, and his next edit reaches no
 * one; then he is removed, and the server closes his connection.
 *
 *   npx tsx examples/collaborative-editor/demo.ts   (from the repository root)
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { Liveblocks, MemoryStore, generateSecret } from "roomgate";
import WebSocket from "ws";
import * as Y from "yjs";
import { startEditorServer } from "./server.js";

type Client = { name: string; text: Y.Text; provider: HocuspocusProvider; closed: string | undefined; destroy: () => void };

/** A browser-like client: a Yjs document synced with the server under `token`. */
function openDocument(url: string, roomId: string, name: string, token: string): Client {
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: WebSocket, maxAttempts: 1 });
  const doc = new Y.Doc();
  const client: Client = {
    name,
    text: doc.getText("body"),
    provider: undefined as never,
    closed: undefined,
    destroy: () => {
      client.provider.destroy();
      socket.destroy();
    },
  };
  client.provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: roomId,
    document: doc,
    token,
    onClose: ({ event }) => (client.closed ??= String(event?.reason ?? "closed")),
  });
  client.provider.attach();
  return client;
}

/** Resolves when `check` holds, or rejects after `ms`. */
async function until(check: () => boolean, ms = 2000): Promise<void> {
  for (const deadline = Date.now() + ms; !check();) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What the demo observed, for its test. */
export type DemoOutcome = {
  bobSawAlice: string;
  aliceSawBob: string;
  bobReadOnlyEditReachedAlice: boolean;
  aliceAfterDowngrade: string;
  bobDisconnectedWith: string | undefined;
};

export async function runDemo(log: (line: string) => void = console.log): Promise<DemoOutcome> {
  const liveblocks = new Liveblocks({ secret: generateSecret(), store: new MemoryStore() });
  const server = await startEditorServer(liveblocks, 0);
  const tokenOf = async (userId: string) => (JSON.parse((await liveblocks.identifyUser({ userId })).body) as { token: string }).token;
  const clients: Client[] = [];
  try {
    await liveblocks.createRoom("spec", { defaultAccesses: [], usersAccesses: { alice: ["room:write"], bob: ["room:write"] } });
    log('Room "spec": alice and bob may edit.');
    const alice = openDocument(server.url, "spec", "alice", await tokenOf("alice"));
    const bob = openDocument(server.url, "spec", "bob", await tokenOf("bob"));
    clients.push(alice, bob);
    await until(() => alice.provider.isSynced && bob.provider.isSynced);

    alice.text.insert(0, "Hello");
    await until(() => bob.text.toString() === "Hello");
    bob.text.insert(5, " world");
    await until(() => alice.text.toString() === "Hello world");
    const bobSawAlice = bob.text.toString();
    const aliceSawBob = alice.text.toString();
    log(`Both edit: alice sees "${aliceSawBob}", bob sees "${bobSawAlice}".`);

    await liveblocks.updateRoom("spec", { usersAccesses: { bob: ["room:read", "room:presence:write"] } });
    log("Bob is made read-only with updateRoom, while connected.");
    bob.text.insert(bob.text.length, "!!!");
    alice.text.insert(alice.text.length, ".");
    await until(() => bob.text.toString().includes("."));
    // Give Bob's refused edit time to arrive, if the server had let it through.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const aliceAfterDowngrade = alice.text.toString();
    const bobReadOnlyEditReachedAlice = aliceAfterDowngrade.includes("!!!");
    log(`Bob typed "!!!": alice sees "${aliceAfterDowngrade}" (the server refused his edit).`);

    await liveblocks.updateRoom("spec", { usersAccesses: { bob: null } });
    await until(() => bob.closed !== undefined);
    log(`Bob is removed: the server closed his connection ("${bob.closed}").`);
    return { bobSawAlice, aliceSawBob, bobReadOnlyEditReachedAlice, aliceAfterDowngrade, bobDisconnectedWith: bob.closed };
  } finally {
    for (const client of clients) client.destroy();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runDemo();
