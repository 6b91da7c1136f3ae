/**
 * RestStore against a real roomgate server on loopback: the shared
 * conformance suite, and `new Liveblocks({ secret, baseUrl })` end to end.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Liveblocks } from "../../../src/liveblocks/index.js";
import { MemoryStore } from "../../../src/stores/memory/store.js";
import { RestResponseError, RestStore } from "../../../src/stores/rest/store.js";
import type { GroupData, GroupWriteOptions, RoomChangeEvent, RoomData, StoreWriteOptions } from "../../../src/rooms/types.js";
import { makeRoom, testRoomStore } from "../../../src/testing/index.js";
import { createRequestHandler, toNodeListener, type NodeListener } from "../../../src/http/index.js";

const SECRET = "sk_test_0123456789abcdefghijklmnopqrstuv";

/**
 * The REST API has no field for `createdAt` or `lastConnectionAt` (the
 * server sets them), but the suite creates rooms at fixed times. The test
 * passes them beside the API: the client records them per room id, the
 * server's store applies them. Only the timestamps take this path.
 */
const stamps = new Map<string, { createdAt: Date; lastConnectionAt: Date | undefined }>();

class StampedMemoryStore extends MemoryStore {
  override create(room: RoomData, options?: StoreWriteOptions) {
    const stamp = stamps.get(room.id);
    if (stamp === undefined) return super.create(room, options);
    const stamped: RoomData = { ...room, createdAt: stamp.createdAt };
    if (stamp.lastConnectionAt !== undefined) stamped.lastConnectionAt = stamp.lastConnectionAt;
    return super.create(stamped, options);
  }
}

/**
 * Group times are the server's clock: the client sets the server's clock to
 * the time the suite gives each group write while it is sent (the real
 * clock otherwise, which revocations bound their cutoffs with).
 */
let groupClock: number | undefined;
const serverNow = () => groupClock ?? Date.now();
async function atServerTime<T>(ms: number, write: () => Promise<T>): Promise<T> {
  groupClock = ms;
  try {
    return await write();
  } finally {
    groupClock = undefined;
  }
}

class StampingRestStore extends RestStore {
  override create(room: RoomData, options?: StoreWriteOptions) {
    stamps.set(room.id, { createdAt: room.createdAt, lastConnectionAt: room.lastConnectionAt });
    return super.create(room, options);
  }
  override createGroup(group: GroupData, options?: GroupWriteOptions) {
    return atServerTime(group.createdAt.getTime(), () => super.createGroup(group, options));
  }
  override addGroupMembers(groupId: string, memberIds: readonly string[], at: Date, options?: GroupWriteOptions) {
    return atServerTime(at.getTime(), () => super.addGroupMembers(groupId, memberIds, at, options));
  }
  override removeGroupMembers(groupId: string, memberIds: readonly string[], at: Date, options?: StoreWriteOptions) {
    return atServerTime(at.getTime(), () => super.removeGroupMembers(groupId, memberIds, at, options));
  }
}

let server: Server;
let baseUrl: string;
/** The server's Liveblocks; swapped for a fresh one per conformance test. */
let serving: Liveblocks;
let listener: NodeListener;

/** Points the one loopback server at `liveblocks`, with roomgate's real handler. */
function serve(liveblocks: Liveblocks): void {
  serving = liveblocks;
  listener = toNodeListener(createRequestHandler(liveblocks));
}
serve(new Liveblocks({ secret: SECRET, store: new MemoryStore() }));

/** Every request the loopback server received, as "METHOD /path?query". */
const received: string[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    received.push(`${req.method} ${req.url}`);
    listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

testRoomStore({
  name: "RestStore over a roomgate server",
  // Declared: the server starts in beforeAll, after tests are collected.
  capabilities: {
    rename: true,
    accessRules: false,
    revocationEvents: true,
    revocationClearing: true,
    groups: true,
    accessibleBy: true,
    auditLog: true,
  },
  create: () => {
    stamps.clear();
    serve(new Liveblocks({ secret: SECRET, store: new StampedMemoryStore(), now: serverNow }));
    return new StampingRestStore({ baseUrl, secret: SECRET });
  },
});

testRoomStore({
  name: "RestStore over a roomgate server, with server events",
  capabilities: {
    rename: true,
    accessRules: false,
    revocationEvents: true,
    revocationClearing: true,
    groups: true,
    accessibleBy: true,
    auditLog: true,
  },
  create: () => {
    stamps.clear();
    serve(new Liveblocks({ secret: SECRET, store: new StampedMemoryStore(), now: serverNow }));
    return new StampingRestStore({ baseUrl, secret: SECRET, serverEvents: true });
  },
});

describe("RestStore server events", () => {
  it("subscribe - a listener hears another instance's writes", async () => {
    serve(new Liveblocks({ secret: SECRET, store: new MemoryStore() }));
    const listening = new RestStore({ baseUrl, secret: SECRET, serverEvents: true });
    const writing = new Liveblocks({ secret: SECRET, baseUrl });
    const events: RoomChangeEvent[] = [];
    const unsubscribe = listening.subscribe((event) => events.push(event));
    // A write of its own waits until the stream is subscribed; then the other instance writes.
    await listening.create(makeRoom("mine"));
    await writing.createRoom("theirs", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
    await writing.updateRoom("theirs", { usersAccesses: { alice: null } });
    await writing.deleteRoom("theirs");
    await vi.waitFor(() => expect(events).toHaveLength(4));
    expect(events.map((event) => [event.type, event.roomId])).toEqual([
      ["created", "mine"],
      ["created", "theirs"],
      ["updated", "theirs"],
      ["deleted", "theirs"],
    ]);
    expect(events[1]?.room?.usersAccesses).toEqual({ alice: ["room:write"] });
    unsubscribe();
    await listening.close();
  });

  it("watchRoomAccess - a revocation made through another instance ends the watch with revoked", async () => {
    serve(new Liveblocks({ secret: SECRET, store: new MemoryStore() }));
    const store = new RestStore({ baseUrl, secret: SECRET, serverEvents: true });
    const watching = new Liveblocks({ secret: SECRET, store });
    const revoking = new Liveblocks({ secret: SECRET, baseUrl });
    await revoking.createRoom("doc", { defaultAccesses: ["room:write"] });
    const { token } = JSON.parse((await watching.identifyUser({ userId: "alice" })).body) as { token: string };
    const calls: { allowed: boolean; reason?: string }[] = [];
    const watch = await watching.watchRoomAccess(token, "doc", (access) => calls.push(access));
    expect(watch.access).toMatchObject({ allowed: true });
    // The stream is subscribed once a write of the watching store has gone through it.
    await store.revokeTokens("nobody", 1);
    await revoking.revokeTokens({ userId: "alice", issuedBefore: Date.now() + 60_000 });
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toMatchObject({ allowed: false, reason: "revoked" });
    await store.close();
  });

  it("subscribe - the stream is released when the last listener leaves", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
    serve(liveblocks);
    let subscribers = 0;
    const original = liveblocks.onRoomChange.bind(liveblocks);
    liveblocks.onRoomChange = (listener) => {
      subscribers++;
      const stop = original(listener);
      return () => {
        subscribers--;
        stop();
      };
    };
    const store = new RestStore({ baseUrl, secret: SECRET, serverEvents: true });
    const first = store.subscribe(() => {});
    const second = store.subscribe(() => {});
    await store.create(makeRoom("r"));
    expect(subscribers).toBe(1);
    first();
    expect(subscribers).toBe(1);
    second();
    await vi.waitFor(() => expect(subscribers).toBe(0));
  });

  it("subscribe - a server without the route is reported once and writes go on", async () => {
    const gaps: unknown[] = [];
    const handler = createRequestHandler(new Liveblocks({ secret: SECRET }));
    const bare = createServer(
      toNodeListener((request) =>
        new URL(request.url).pathname === "/v2/room-events"
          ? Promise.resolve(Response.json({ error: "Not Found", message: "No route" }, { status: 404 }))
          : handler(request),
      ),
    );
    await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
    try {
      const store = new RestStore({
        baseUrl: `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`,
        secret: SECRET,
        serverEvents: true,
        onEventGap: (error) => gaps.push(error),
      });
      store.subscribe(() => {});
      expect((await store.create(makeRoom("r"))).created).toBe(true);
      await vi.waitFor(() => expect(gaps).toHaveLength(1));
      expect(String(gaps[0])).toMatch(/answered 404; server events stay off/);
      await store.close();
    } finally {
      bare.closeAllConnections();
      await new Promise((resolve) => bare.close(resolve));
    }
  });
});

describe("RestStore requests, as the server receives them", () => {
  const fresh = () => {
    serve(new Liveblocks({ secret: SECRET, store: new MemoryStore() }));
    received.length = 0;
    return new RestStore({ baseUrl, secret: SECRET });
  };

  it("create - without assert one POST; a 409 reads the existing room", async () => {
    const store = fresh();
    await store.create(makeRoom("r"));
    expect((await store.create(makeRoom("r"))).created).toBe(false);
    expect(received).toEqual(["POST /v2/rooms", "POST /v2/rooms", "GET /v2/rooms/r"]);
  });

  it("create - with assert, reads first; an existing room runs no assert and sends no POST", async () => {
    const store = fresh();
    const asserted: string[] = [];
    await store.create(makeRoom("r"), { assert: (room) => void asserted.push(room.id) });
    await store.create(makeRoom("r"), { assert: (room) => void asserted.push(room.id) });
    expect(asserted).toEqual(["r"]);
    expect(received).toEqual(["GET /v2/rooms/r", "POST /v2/rooms", "GET /v2/rooms/r"]);
  });

  it("update - with assert, reads and checks the patched room; a failing assert sends no POST", async () => {
    const store = fresh();
    await store.create(makeRoom("r"));
    received.length = 0;
    const error = new Error("too many users");
    await expect(
      store.update(
        "r",
        { usersAccesses: { bob: ["*:read"] } },
        {
          assert: (room) => {
            if (Object.hasOwn(room.usersAccesses, "bob")) throw error;
          },
        },
      ),
    ).rejects.toBe(error);
    await store.update("r", { metadata: { a: "b" } });
    expect(received).toEqual(["GET /v2/rooms/r", "POST /v2/rooms/r"]);
  });

  it("delete - reads first; a missing room sends no DELETE", async () => {
    const store = fresh();
    await store.create(makeRoom("a/b"));
    received.length = 0;
    expect(await store.delete("a/b")).toBe(true);
    expect(await store.delete("a/b")).toBe(false);
    expect(received).toEqual(["GET /v2/rooms/a%2Fb", "DELETE /v2/rooms/a%2Fb", "GET /v2/rooms/a%2Fb"]);
  });
});

describe("new Liveblocks({ secret, baseUrl })", () => {
  it("baseUrl - two instances sharing one server see each other's rooms and revocations", async () => {
    serve(new Liveblocks({ secret: SECRET, store: new MemoryStore() }));
    const a = new Liveblocks({ secret: SECRET, baseUrl });
    const b = new Liveblocks({ secret: SECRET, baseUrl });
    expect(a.store).toBeInstanceOf(RestStore);

    await a.createRoom("doc", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
    expect((await b.getRoom("doc")).usersAccesses).toEqual({ alice: ["room:write"] });
    await b.updateRoom("doc", { usersAccesses: { bob: ["room:read"] } });
    expect((await a.getRooms({ userId: "bob" })).data.map((room) => room.id)).toEqual(["doc"]);
    expect(await serving.getRoom("doc")).toMatchObject({ usersAccesses: { alice: ["room:write"], bob: ["room:read"] } });

    const token = (JSON.parse((await a.identifyUser("alice")).body) as { token: string }).token;
    expect(await b.checkRoomAccess(token, "doc")).toMatchObject({ allowed: true });
    await a.revokeTokens({ userId: "alice", issuedBefore: Date.now() + 60_000 });
    expect(await b.checkRoomAccess(token, "doc")).toMatchObject({ allowed: false, reason: "revoked" });

    await b.deleteRoom("doc");
    await expect(a.getRoom("doc")).rejects.toMatchObject({ name: "LiveblocksError", status: 404 });
  });

  it("get - sequential requests reuse one keep-alive connection", async () => {
    serve(new Liveblocks({ secret: SECRET, store: new MemoryStore() }));
    const store = new RestStore({ baseUrl, secret: SECRET });
    await store.get("warm-up");
    let opened = 0;
    const count = () => void opened++;
    server.on("connection", count);
    try {
      for (let i = 0; i < 20; i++) await store.get(`r${i}`);
    } finally {
      server.off("connection", count);
    }
    // Without keep-alive this would be 20; undici may open one more while the first returns to its pool.
    expect(opened).toBeLessThanOrEqual(1);
  });

  it("baseUrl - an explicit store still wins", () => {
    const store = new MemoryStore();
    expect(new Liveblocks({ secret: SECRET, baseUrl, store }).store).toBe(store);
    expect(new Liveblocks({ secret: SECRET }).store).toBeInstanceOf(MemoryStore);
  });

  it("createRoom - the server's API errors arrive as LiveblocksError with its status", async () => {
    serve(new Liveblocks({ secret: SECRET, store: new MemoryStore() }));
    const a = new Liveblocks({ secret: SECRET, baseUrl });
    await a.createRoom("doc", { defaultAccesses: [] });
    await expect(a.createRoom("doc", { defaultAccesses: [] })).rejects.toMatchObject({
      name: "LiveblocksError",
      status: 409,
    });
    const wrongSecret = new RestStore({ baseUrl, secret: "sk_wrong_0123456789abcdefghijklmnop" });
    await expect(wrongSecret.get("doc")).rejects.toMatchObject({ name: "LiveblocksError", status: 403 });
  });
});

describe("RestStore against a misbehaving server on loopback", () => {
  let raw: Server;
  let rawUrl: string;
  const requests: string[] = [];

  beforeAll(async () => {
    raw = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (req.url?.startsWith("/v2/rooms?")) {
        // An endless body: only a reader that stops can finish.
        res.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        let open = true;
        res.on("close", () => (open = false));
        const pump = () => {
          while (open && res.write(chunk));
          if (open) res.once("drain", pump);
        };
        pump();
        return;
      }
      // Announces more than it sends, and never ends.
      res.writeHead(200, { "content-type": "application/json", "content-length": String(17 * 1024 * 1024) });
      res.write("{");
    });
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
    rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    raw.closeAllConnections();
    await new Promise((resolve) => raw.close(resolve));
  });

  it("list - a body over 16 MiB is refused while reading and not retried", async () => {
    requests.length = 0;
    const store = new RestStore({ baseUrl: rawUrl, secret: SECRET });
    const error = await store.list({ filter: {}, limit: 10 }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RestResponseError);
    expect((error as Error).message).toMatch(/over 16777216 bytes/);
    expect(requests).toEqual(["GET /v2/rooms?limit=10"]);
  });

  it("get - a Content-Length over the bound is refused before reading", async () => {
    requests.length = 0;
    const store = new RestStore({ baseUrl: rawUrl, secret: SECRET });
    await expect(store.get("big")).rejects.toBeInstanceOf(RestResponseError);
    expect(requests).toEqual(["GET /v2/rooms/big"]);
  });

  it("create - a refused connection is retried: the request never reached a server", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const waits: number[] = [];
    const store = new RestStore({
      baseUrl: `http://127.0.0.1:${port}`,
      secret: SECRET,
      retries: 3,
      sleep: async (ms) => void waits.push(ms),
    });
    const error = await store.create(makeRoom("r")).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe("ECONNREFUSED");
    expect(waits).toHaveLength(3);
  });
});
