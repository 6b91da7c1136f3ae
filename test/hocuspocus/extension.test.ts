/**
 * `roomgate/hocuspocus` with a real Hocuspocus 3 server on loopback and real
 * `@hocuspocus/provider` clients (Node, `ws`): entry, read-only, live
 * downgrades, deletion, revocation and forged or expired tokens.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { Server } from "@hocuspocus/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import { RoomgateExtension } from "../../src/hocuspocus/index.js";
import { Liveblocks, MemoryStore, generateSecret } from "../../src/index.js";

const SECRET = generateSecret();

type Client = {
  provider: HocuspocusProvider;
  socket: HocuspocusProviderWebsocket;
  doc: Y.Doc;
  text: Y.Text;
  /** Every `close` the server sent for this document. */
  closes: string[];
  /** The codes of those closes (a socket close carries one; Hocuspocus' own close message does not). */
  closeCodes: (number | undefined)[];
  /** The permission-denied reason, if authentication failed. */
  denied: string | undefined;
  /** Messages the client received (any byte of the document would be one). */
  received: number;
  /** Stateless payloads the server sent this client. */
  stateless: string[];
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(liveblocks: Liveblocks) {
  const extension = new RoomgateExtension({ liveblocks });
  const server = new Server({ port: 0, address: "127.0.0.1", quiet: true, stopOnSignals: false, extensions: [extension] });
  await server.listen();
  cleanups.push(() => server.destroy());
  return { extension, url: `ws://127.0.0.1:${server.address.port}` };
}

function connect(url: string, name: string, token: string): Client {
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: WebSocket, maxAttempts: 1 });
  const doc = new Y.Doc();
  const client: Client = {
    provider: undefined as never,
    socket,
    doc,
    text: doc.getText("body"),
    closes: [],
    closeCodes: [],
    denied: undefined,
    received: 0,
    stateless: [],
  };
  client.provider = new HocuspocusProvider({
    websocketProvider: socket,
    name,
    document: doc,
    token,
    onAuthenticationFailed: ({ reason }) => (client.denied = reason),
    onClose: ({ event }) => {
      client.closes.push(String(event?.reason ?? ""));
      client.closeCodes.push(event?.code);
    },
    onMessage: () => void client.received++,
    onStateless: ({ payload }) => void client.stateless.push(payload),
  });
  client.provider.attach();
  cleanups.push(() => {
    client.provider.destroy();
    socket.destroy();
  });
  return client;
}

async function tokenFor(liveblocks: Liveblocks, userId: string): Promise<string> {
  return (JSON.parse((await liveblocks.identifyUser({ userId })).body) as { token: string }).token;
}

async function setup() {
  const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
  await liveblocks.createRoom("doc", {
    defaultAccesses: [],
    usersAccesses: { editor: ["room:write"], writer: ["room:write"], reader: ["room:read", "room:presence:write"] },
  });
  const { extension, url } = await startServer(liveblocks);
  return { liveblocks, extension, url };
}

const synced = (client: Client) => vi.waitFor(() => expect(client.provider.isSynced).toBe(true), { timeout: 5000 });

describe("RoomgateExtension", () => {
  it("an editor's edit reaches another client; a read-only client's edit reaches no one", async () => {
    const { liveblocks, url } = await setup();
    const editor = connect(url, "doc", await tokenFor(liveblocks, "editor"));
    const writer = connect(url, "doc", await tokenFor(liveblocks, "writer"));
    const reader = connect(url, "doc", await tokenFor(liveblocks, "reader"));
    await Promise.all([synced(editor), synced(writer), synced(reader)]);
    expect(reader.provider.authorizedScope).toBe("readonly");
    expect(editor.provider.authorizedScope).toBe("read-write");

    editor.text.insert(0, "hello");
    await vi.waitFor(() => expect(writer.text.toString()).toBe("hello"));
    await vi.waitFor(() => expect(reader.text.toString()).toBe("hello"));

    reader.text.insert(0, "NOPE ");
    editor.text.insert(5, "!");
    await vi.waitFor(() => expect(writer.text.toString()).toBe("hello!"));
    // The reader's update was refused by the server: the editor's later one arrived, the reader's never did.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(writer.text.toString()).toBe("hello!");
    expect(editor.text.toString()).toBe("hello!");
  });

  it("a live downgrade with updateRoom makes the connection read-only within a second, an upgrade writable again", async () => {
    const { liveblocks, url } = await setup();
    await liveblocks.updateRoom("doc", { usersAccesses: { later: ["room:write"] } });
    const editor = connect(url, "doc", await tokenFor(liveblocks, "editor"));
    const writer = connect(url, "doc", await tokenFor(liveblocks, "writer"));
    const later = connect(url, "doc", await tokenFor(liveblocks, "later"));
    await Promise.all([synced(editor), synced(writer), synced(later)]);

    await liveblocks.updateRoom("doc", { usersAccesses: { writer: ["room:read", "room:presence:write"], later: ["room:read"] } });
    writer.text.insert(0, "after downgrade ");
    editor.text.insert(0, "editor");
    await vi.waitFor(() => expect(writer.text.toString()).toContain("editor"), { timeout: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(editor.text.toString()).toBe("editor");
    expect(later.text.toString()).toBe("editor");

    // An upgrade: a client that kept its hands off while read-only writes again on the same connection.
    // (The refused client's later edits build on its refused one, which Yjs cannot apply without it.)
    await liveblocks.updateRoom("doc", { usersAccesses: { later: ["room:write"] } });
    later.text.insert(later.text.length, " again");
    await vi.waitFor(() => expect(editor.text.toString()).toBe("editor again"), { timeout: 1000 });
  });

  it("presence - admitted connections reach getActiveUsers and subscribePresence; a removed one leaves", async () => {
    const { liveblocks, url } = await setup();
    const events: string[] = [];
    cleanups.push(liveblocks.subscribePresence((event) => events.push(`${event.type} ${event.userId} ${event.numActiveUsers}`)));
    const editor = connect(url, "doc", await tokenFor(liveblocks, "editor"));
    await synced(editor);
    const reader = connect(url, "doc", await tokenFor(liveblocks, "reader"));
    await synced(reader);
    const { data } = await liveblocks.getActiveUsers("doc");
    expect(data.map(({ type, id, info }) => ({ type, id, info }))).toEqual([
      { type: "user", id: "editor", info: {} },
      { type: "user", id: "reader", info: {} },
    ]);
    await liveblocks.updateRoom("doc", { usersAccesses: { reader: null } });
    await vi.waitFor(() => expect(events).toContain("userLeft reader 1"), { timeout: 2000 });
    expect(events.slice(0, 2)).toEqual(["userEntered editor 1", "userEntered reader 2"]);
    expect((await liveblocks.getActiveUsers("doc")).data.map((user) => user.id)).toEqual(["editor"]);
  });

  it("a client of a deleted room is disconnected, and its watch is gone", async () => {
    const { liveblocks, extension, url } = await setup();
    const editor = connect(url, "doc", await tokenFor(liveblocks, "editor"));
    await synced(editor);
    expect(extension.size).toBe(1);
    await liveblocks.deleteRoom("doc");
    await vi.waitFor(() => expect(editor.closes.some((reason) => reason.includes("not found") || reason.includes("doc"))).toBe(true), {
      timeout: 1000,
    });
    expect(extension.size).toBe(0);
  });

  it("a removed user and a revoked user are disconnected without reconnecting", async () => {
    const { liveblocks, url } = await setup();
    const writer = connect(url, "doc", await tokenFor(liveblocks, "writer"));
    const reader = connect(url, "doc", await tokenFor(liveblocks, "reader"));
    await Promise.all([synced(writer), synced(reader)]);
    await liveblocks.updateRoom("doc", { usersAccesses: { writer: null } });
    // The socket itself closes with 4403 (regression: Hocuspocus 3 sent only the reason and left it open).
    await vi.waitFor(() => expect(writer.closeCodes).toContain(4403), { timeout: 1000 });
    expect(reader.closes).toEqual([]);
    await liveblocks.revokeTokens({ userId: "reader", issuedBefore: Date.now() + 60_000 });
    await vi.waitFor(() => expect(reader.closeCodes).toContain(4403), { timeout: 1000 });
  });

  it("forged, expired, wrong-room and other-organization tokens never see a byte of the document", async () => {
    const { liveblocks, url } = await setup();
    const editor = connect(url, "doc", await tokenFor(liveblocks, "editor"));
    await synced(editor);
    editor.text.insert(0, "secret contents");

    const other = new Liveblocks({ secret: generateSecret(), store: new MemoryStore() });
    const expiredIssuer = new Liveblocks({ secret: SECRET, store: new MemoryStore(), now: () => Date.now() - 2 * 3600_000 });
    const tokens = {
      forged: await tokenFor(other, "editor"),
      expired: await tokenFor(expiredIssuer, "editor"),
      outsider: await tokenFor(liveblocks, "outsider"),
      // The editor, but for another organization: the room is in "default".
      otherOrganization: (
        JSON.parse((await liveblocks.identifyUser({ userId: "editor", organizationId: "globex" })).body) as { token: string }
      ).token,
      garbage: "not.a.token",
    };
    const clients = Object.entries(tokens).map(([kind, token]) => ({ kind, client: connect(url, "doc", token) }));
    for (const { kind, client } of clients) {
      await vi.waitFor(() => expect(client.denied, kind).toBeDefined(), { timeout: 5000 });
      expect(client.text.toString(), kind).toBe("");
      expect(client.provider.isSynced, kind).toBe(false);
    }
  });
});

/** A raw Hocuspocus message for document `name`: its type, then what `body` writes. */
function rawMessage(name: string, type: number, body: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, name);
  encoding.writeVarUint(encoder, type);
  body(encoder);
  return encoding.toUint8Array(encoder);
}

/** An awareness message setting (or, with `null`, erasing) `clientId`'s entry at a clock far ahead. */
function awarenessMessage(name: string, clientId: number, state: unknown): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, 1);
  encoding.writeVarUint(update, clientId);
  encoding.writeVarUint(update, 1_000_000);
  encoding.writeVarString(update, JSON.stringify(state));
  return rawMessage(name, 1, (encoder) => encoding.writeVarUint8Array(encoder, encoding.toUint8Array(update)));
}

const BROADCAST_STATELESS = 6;

describe("RoomgateExtension - stored groups", () => {
  it("groupsFrom store - a member removed from the group that gave access is disconnected with 4403", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore(), groupsFrom: "store" });
    await liveblocks.createRoom("doc", { defaultAccesses: [], groupsAccesses: { eng: ["room:write"] } });
    await liveblocks.createGroup({ groupId: "eng", memberIds: ["ada", "bob"] });
    const { url } = await startServer(liveblocks);
    const ada = connect(url, "doc", await tokenFor(liveblocks, "ada"));
    const bob = connect(url, "doc", await tokenFor(liveblocks, "bob"));
    await Promise.all([synced(ada), synced(bob)]);
    await liveblocks.removeGroupMembers({ groupId: "eng", memberIds: ["ada"] });
    await vi.waitFor(() => expect(ada.closeCodes).toContain(4403), { timeout: 2_000 });
    expect(bob.closeCodes).toEqual([]);
  });
});

describe("RoomgateExtension - presence and broadcasts (regression: read-only connections wrote awareness of others and broadcast)", () => {
  it("awareness - a reader publishes its own presence; nobody may set or erase another connection's entry", async () => {
    const { liveblocks, url } = await setup();
    const editor = connect(url, "doc", await tokenFor(liveblocks, "editor"));
    const writer = connect(url, "doc", await tokenFor(liveblocks, "writer"));
    const reader = connect(url, "doc", await tokenFor(liveblocks, "reader"));
    await Promise.all([synced(editor), synced(writer), synced(reader)]);
    const editorId = editor.doc.clientID;
    editor.provider.setAwarenessField("user", "editor");
    reader.provider.setAwarenessField("user", "reader");
    // The reader's own presence reaches others: read access allows presence.
    await vi.waitFor(() => expect(writer.provider.awareness!.getStates().get(reader.doc.clientID)).toEqual({ user: "reader" }));
    await vi.waitFor(() => expect(writer.provider.awareness!.getStates().get(editorId)).toEqual({ user: "editor" }));

    // The reader overwrites the editor's entry, the writer erases it: both refused, both cut off.
    reader.socket.send(awarenessMessage("doc", editorId, { user: "forged" }));
    writer.socket.send(awarenessMessage("doc", editorId, null));
    const witness = connect(url, "doc", await tokenFor(liveblocks, "editor"));
    await synced(witness);
    editor.provider.setAwarenessField("n", 2);
    await vi.waitFor(() => expect(witness.provider.awareness!.getStates().get(editorId)).toEqual({ user: "editor", n: 2 }));
    expect(editor.provider.awareness!.getStates().get(editorId)).toEqual({ user: "editor", n: 2 });
    // The offenders' connections are closed: their later edits and presence reach no one.
    reader.provider.setAwarenessField("user", "reader again");
    writer.text.insert(0, "after the forgery");
    editor.provider.setAwarenessField("n", 3);
    await vi.waitFor(() => expect(witness.provider.awareness!.getStates().get(editorId)).toEqual({ user: "editor", n: 3 }));
    expect(witness.provider.awareness!.getStates().get(reader.doc.clientID)).not.toEqual({ user: "reader again" });
    expect(witness.text.toString()).toBe("");
    expect(reader.closeCodes).toContain(1008);
    expect(writer.closeCodes).toContain(1008);
  });

  it("broadcast - a writer's broadcast reaches every connection; a read-only connection's reaches none", async () => {
    const { liveblocks, url } = await setup();
    const editor = connect(url, "doc", await tokenFor(liveblocks, "editor"));
    const writer = connect(url, "doc", await tokenFor(liveblocks, "writer"));
    const reader = connect(url, "doc", await tokenFor(liveblocks, "reader"));
    await Promise.all([synced(editor), synced(writer), synced(reader)]);
    reader.socket.send(rawMessage("doc", BROADCAST_STATELESS, (encoder) => encoding.writeVarString(encoder, "from the reader")));
    writer.socket.send(rawMessage("doc", BROADCAST_STATELESS, (encoder) => encoding.writeVarString(encoder, "from the writer")));
    await vi.waitFor(() => expect(editor.stateless).toContain("from the writer"));
    await vi.waitFor(() => expect(writer.stateless).toContain("from the writer"));
    // The reader's broadcast came first on the wire and reached no one; the reader was cut off for it.
    expect(editor.stateless).toEqual(["from the writer"]);
    expect(reader.stateless).toEqual([]);
    expect(writer.stateless).not.toContain("from the reader");
  });
});
