/**
 * Two Node clients (`y-websocket`'s `WebsocketProvider`) edit one Yjs
 * document through `@y/websocket-server`; roomgate decides who may write.
 * Alice and Bob start as editors; Bob is made read-only with `updateRoom`
 * while connected and his next edit reaches no one; then he is removed and
 * the server closes his connection. `getActiveUsers` lists who is in.
 *
 *   npx tsx examples/y-websocket/demo.ts   (from the repository root)
 */
import { Liveblocks, MemoryStore, generateSecret } from "roomgate";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { startYServer } from "./server.js";

type Client = { text: Y.Text; provider: WebsocketProvider; closed: { code: number; reason: string } | undefined; destroy: () => void };

/** A browser-like client: a Yjs document synced with the server under `token`. */
function openDocument(url: string, roomId: string, token: string): Client {
  const doc = new Y.Doc();
  // Node needs `ws`; `disableBc` keeps two providers of one process from syncing past the server.
  const provider = new WebsocketProvider(url, roomId, doc, { params: { token }, WebSocketPolyfill: WebSocket as never, disableBc: true });
  const client: Client = {
    text: doc.getText("body"),
    provider,
    closed: undefined,
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
  provider.on("connection-close", (event) => {
    if (event) client.closed ??= { code: event.code, reason: event.reason };
  });
  return client;
}

/** Resolves when `check` holds, or rejects after `ms`. */
async function until(check: () => boolean, ms = 3000): Promise<void> {
  for (const deadline = Date.now() + ms; !check();) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What the demo observed, for its test. */
export type DemoOutcome = {
  bothSee: string;
  activeUsers: (string | null)[];
  aliceAfterDowngrade: string;
  bobAfterDowngrade: string;
  bobDisconnectedWith: { code: number; reason: string } | undefined;
  activeUsersAfterRemoval: (string | null)[];
};

export async function runDemo(log: (line: string) => void = console.log): Promise<DemoOutcome> {
  const liveblocks = new Liveblocks({ secret: generateSecret(), store: new MemoryStore() });
  const server = await startYServer(liveblocks, 0);
  const tokenOf = async (userId: string) => (JSON.parse((await liveblocks.identifyUser({ userId })).body) as { token: string }).token;
  const clients: Client[] = [];
  try {
    await liveblocks.createRoom("notes", { defaultAccesses: [], usersAccesses: { alice: ["room:write"], bob: ["room:write"] } });
    log('Room "notes": alice and bob may edit.');
    const alice = openDocument(server.url, "notes", await tokenOf("alice"));
    const bob = openDocument(server.url, "notes", await tokenOf("bob"));
    clients.push(alice, bob);
    await until(() => alice.provider.synced && bob.provider.synced);
    const activeUsers = (await liveblocks.getActiveUsers("notes")).data.map((user) => user.id);
    log(`Active users: ${activeUsers.join(", ")}.`);

    alice.text.insert(0, "Hello");
    await until(() => bob.text.toString() === "Hello");
    bob.text.insert(5, " world");
    await until(() => alice.text.toString() === "Hello world");
    const bothSee = alice.text.toString();
    log(`Both edit: both see "${bothSee}".`);

    await liveblocks.updateRoom("notes", { usersAccesses: { bob: ["room:read", "room:presence:write"] } });
    log("Bob is made read-only with updateRoom, while connected.");
    bob.text.insert(bob.text.length, "!!!");
    alice.text.insert(alice.text.length, ".");
    await until(() => bob.text.toString().includes("."));
    // Give Bob's dropped edit time to arrive, if the server had let it through.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const aliceAfterDowngrade = alice.text.toString();
    const bobAfterDowngrade = bob.text.toString();
    log(`Bob typed "!!!": alice sees "${aliceAfterDowngrade}" (the server dropped his edit); bob sees "${bobAfterDowngrade}".`);

    await liveblocks.updateRoom("notes", { usersAccesses: { bob: null } });
    await until(() => bob.closed !== undefined);
    log(`Bob is removed: the server closed his connection (${bob.closed!.code} "${bob.closed!.reason}").`);
    await until(() => liveblocks.presence.activeUsers("notes").length === 1);
    const activeUsersAfterRemoval = (await liveblocks.getActiveUsers("notes")).data.map((user) => user.id);
    log(`Active users: ${activeUsersAfterRemoval.join(", ")}.`);
    return { bothSee, activeUsers, aliceAfterDowngrade, bobAfterDowngrade, bobDisconnectedWith: bob.closed, activeUsersAfterRemoval };
  } finally {
    for (const client of clients) client.destroy();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runDemo();
