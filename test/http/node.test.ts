import { getEventListeners } from "node:events";
import { Agent, type Server, createServer, request } from "node:http";
import { connect as connectHttp2, createServer as createHttp2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import express from "express";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type RequestHandler, createRequestHandler, toNodeListener } from "../../src/http/index.js";
import { MemoryStore, type RoomData, type StoreReadOptions } from "../../src/index.js";
import { SECRET, makeLiveblocks } from "../liveblocks/helpers.js";

/** A store that records the signal of each `get`, and leaves an abort listener on it or waits for it to abort when told. */
class SignalStore extends MemoryStore {
  readonly seen: AbortSignal[] = [];
  mode: "plain" | "leak" | "hang" = "plain";
  override async get(roomId: string, options?: StoreReadOptions): Promise<RoomData | null> {
    const signal = options!.signal!;
    this.seen.push(signal);
    if (this.mode === "leak") signal.addEventListener("abort", () => undefined, { once: true });
    if (this.mode === "hang") {
      await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    }
    return super.get(roomId, options);
  }
}

/** GET `/v2/rooms/r` through `agent`; resolves to the status, or to 0 when the request was cut. */
function getRoom(url: string, agent: Agent, onRequest?: (req: ReturnType<typeof request>) => void): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${url}/v2/rooms/r`, { agent, headers: auth }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
    });
    req.once("error", () => resolve(0));
    req.end();
    onRequest?.(req);
  });
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const auth = { authorization: `Bearer ${SECRET}` };

/** GET `path` sent byte for byte as the request target. */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { path, headers: auth }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once("error", reject).end();
  });
}

/** A server over a {@link SignalStore} holding room `r`, and an agent with one keep-alive connection to it. */
async function signalServer(): Promise<{ store: SignalStore; url: string; agent: Agent }> {
  const store = new SignalStore();
  const { liveblocks } = makeLiveblocks({ store });
  await liveblocks.createRoom("r", { defaultAccesses: [] });
  const url = await listen(createServer(toNodeListener(createRequestHandler(liveblocks))));
  return { store, url, agent: new Agent({ keepAlive: true, maxSockets: 1 }) };
}

describe("toNodeListener", () => {
  it("property - any request target routes as the Web handler routes its URL (dots, %2e, %2F, queries, fragments)", async () => {
    const { liveblocks } = makeLiveblocks();
    for (const id of ["a", "a.b", "a/b", "...", "a%b", "e"]) await liveblocks.createRoom(id, { defaultAccesses: [] });
    const handler = createRequestHandler(liveblocks);
    const url = await listen(createServer(toNodeListener(handler)));
    const piece = fc.constantFrom(
      "a",
      "b",
      "e",
      ".",
      "..",
      "%2e",
      "%2E",
      "%2F",
      "%25",
      "%",
      "/",
      "?",
      "#",
      "~",
      ":",
      "@",
      "v2",
      "rooms",
      "/v2/rooms/",
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 8 }), async (pieces) => {
        const path = `/${pieces.join("")}`;
        const node = await rawGet(url, path);
        const web = await handler(new Request(`http://localhost${path}`, { headers: auth }));
        expect({ path, status: node.status, body: node.body }).toEqual({ path, status: web.status, body: await web.text() });
      }),
      { numRuns: 300 },
    );
  });

  it("Express - mounted at the root answers the routes", async () => {
    const { liveblocks } = makeLiveblocks();
    const app = express();
    app.use("/", toNodeListener(createRequestHandler(liveblocks)));
    const url = await listen(createServer(app));
    const created = await fetch(`${url}/v2/rooms`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ id: "r1", defaultAccesses: [] }),
    });
    expect(created.status).toBe(200);
    expect((await fetch(`${url}/v2/rooms/r1`, { headers: auth })).status).toBe(200);
  });

  it("Express - mounted under a path with the same basePath, beside other routes and a JSON body parser", async () => {
    const { liveblocks } = makeLiveblocks();
    const app = express();
    app.get("/health", (_req, res) => void res.send("ok"));
    app.use("/liveblocks", toNodeListener(createRequestHandler(liveblocks, { basePath: "/liveblocks" })));
    const url = await listen(createServer(app));
    expect(await (await fetch(`${url}/health`)).text()).toBe("ok");
    const identified = await fetch(`${url}/liveblocks/v2/identify-user`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ userId: "alice" }),
    });
    expect(identified.status).toBe(200);
    expect(await identified.json()).toMatchObject({
      token: expect.any(String),
    });
    expect((await fetch(`${url}/liveblocks/v2/nothing`, { headers: auth })).status).toBe(404);
  });

  it("node:http - a client that aborts mid-upload aborts the request signal and the server keeps serving", async () => {
    const { liveblocks } = makeLiveblocks();
    const seen: AbortSignal[] = [];
    const inner = createRequestHandler(liveblocks);
    const url = await listen(
      createServer(
        toNodeListener(async (req) => {
          seen.push(req.signal);
          return inner(req);
        }),
      ),
    );
    const req = request(`${url}/v2/rooms`, {
      method: "POST",
      headers: { ...auth, "content-length": "1000" },
    });
    req.on("error", () => {});
    req.write('{"id":"r"');
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    req.destroy();
    await vi.waitFor(() => expect(seen[0]!.aborted).toBe(true));
    expect((await fetch(`${url}/v2/rooms`, { headers: auth })).status).toBe(200);
  });

  it("node:http - requests of one keep-alive connection share its signal, and a client that leaves mid-request aborts it", async () => {
    const { store, url, agent } = await signalServer();
    expect(await getRoom(url, agent)).toBe(200);
    expect(await getRoom(url, agent)).toBe(200);
    expect(store.seen).toHaveLength(2);
    // One connection, one signal: a signal per request costs more than the rest of a cached read.
    expect(store.seen[1]).toBe(store.seen[0]);
    expect(store.seen[0]!.aborted).toBe(false);
    store.mode = "hang";
    let cut!: () => void;
    const status = getRoom(url, agent, (req) => (cut = () => req.destroy()));
    await vi.waitFor(() => expect(store.seen).toHaveLength(3));
    expect(store.seen[2]).toBe(store.seen[0]);
    cut();
    expect(await status).toBe(0);
    await vi.waitFor(() => expect(store.seen[2]!.aborted).toBe(true));
    expect(String(store.seen[2]!.reason)).toContain("The client closed the connection.");
    agent.destroy();
    store.mode = "plain";
    const fresh = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await getRoom(url, fresh)).toBe(200);
    expect(store.seen[3]!.aborted).toBe(false);
    fresh.destroy();
  });

  it("node:http - a connection that closes after its answers aborts no signal", async () => {
    const { store, url, agent } = await signalServer();
    expect(await getRoom(url, agent)).toBe(200);
    // Answered, the keep-alive socket waits among the agent's free ones.
    const socket = Object.values(agent.freeSockets)[0]![0]!;
    const closed = new Promise((resolve) => socket.once("close", resolve));
    agent.destroy();
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.seen[0]!.aborted).toBe(false);
  });

  it("node:http - abort listeners a store leaves behind never pile up on a keep-alive connection", async () => {
    const { store, url, agent } = await signalServer();
    store.mode = "leak";
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      for (let i = 0; i < 30; i++) expect(await getRoom(url, agent)).toBe(200);
    } finally {
      agent.destroy();
      process.off("warning", onWarning);
    }
    expect(store.seen).toHaveLength(30);
    expect(new Set(store.seen).size).toBe(30);
    for (const signal of store.seen) expect(getEventListeners(signal, "abort")).toHaveLength(1);
    expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([]);
  });

  it("node:http2 (compatibility API) - a stream the client resets aborts that request's own signal", async () => {
    const store = new SignalStore();
    const { liveblocks } = makeLiveblocks({ store });
    await liveblocks.createRoom("r", { defaultAccesses: [] });
    const listener = toNodeListener(createRequestHandler(liveblocks));
    const server = createHttp2Server((req, res) => listener(req as never, res as never));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const session = connectHttp2(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const get = () =>
        new Promise<number>((resolve) => {
          const stream = session.request({ ":path": "/v2/rooms/r", ...auth });
          stream.once("response", (headers) => resolve(Number(headers[":status"])));
          stream.resume();
        });
      expect(await get()).toBe(200);
      store.mode = "hang";
      const stream = session.request({ ":path": "/v2/rooms/r", ...auth });
      stream.on("error", () => undefined);
      await vi.waitFor(() => expect(store.seen).toHaveLength(2));
      expect(store.seen[1]).not.toBe(store.seen[0]);
      stream.close();
      await vi.waitFor(() => expect(store.seen[1]!.aborted).toBe(true));
      expect(store.seen[0]!.aborted).toBe(false);
    } finally {
      session.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("node:http - a handler that throws is answered 500, not a crash", async () => {
    const url = await listen(
      createServer(
        toNodeListener(async () => {
          throw new Error("boom");
        }),
      ),
    );
    expect((await fetch(`${url}/`)).status).toBe(500);
    expect((await fetch(`${url}/`)).status).toBe(500);
  });

  it("node:http - response headers and a streamed body are passed through", async () => {
    const url = await listen(
      createServer(
        toNodeListener(async () => {
          const body = new ReadableStream({
            start(c) {
              c.enqueue(new TextEncoder().encode("a"));
              c.enqueue(new TextEncoder().encode("b"));
              c.close();
            },
          });
          const headers = new Headers({ "x-one": "1" });
          headers.append("set-cookie", "a=1");
          headers.append("set-cookie", "b=2");
          return new Response(body, { status: 201, headers });
        }),
      ),
    );
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(201);
    expect(response.headers.get("x-one")).toBe("1");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await response.text()).toBe("ab");
  });

  // createRequestHandler's own handlers take the adapter's direct path; any other Web handler gets a streamed Request.
  describe.each([
    ["direct", (h: RequestHandler) => h],
    [
      "Request stream",
      (h: RequestHandler): RequestHandler =>
        (request) =>
          h(request),
    ],
  ] as const)("%s", (path, wrap) => {
    it(`node:http (${path}) - an oversized chunked upload gets 413 and the connection is closed`, async () => {
      const { liveblocks } = makeLiveblocks();
      const url = await listen(
        createServer(
          toNodeListener(wrap(createRequestHandler(liveblocks)), {
            maxBodyBytes: 1024,
          }),
        ),
      );
      const response = await new Promise<{
        status: number;
        connection: string | undefined;
      }>((resolve, reject) => {
        const req = request(`${url}/v2/rooms`, { method: "POST", headers: auth }, (res) => {
          res.resume();
          resolve({
            status: res.statusCode!,
            connection: res.headers.connection,
          });
        });
        req.on("error", reject);
        // Chunked: no content-length to refuse early on.
        for (let i = 0; i < 8; i++) req.write("x".repeat(512));
        req.end();
      });
      expect(response.status).toBe(413);
      expect(response.connection).toBe("close");
    });

    it(`node:http (${path}) - regression: a body cut at the adapter's limit is never parsed and acted on`, async () => {
      // The adapter once ended the stream at its limit: a valid JSON prefix then created the room.
      const { liveblocks } = makeLiveblocks();
      const url = await listen(
        createServer(
          toNodeListener(wrap(createRequestHandler(liveblocks)), {
            maxBodyBytes: 40,
          }),
        ),
      );
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${url}/v2/rooms`, { method: "POST", headers: auth }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on("error", reject);
        req.write('{"id":"cut","defaultAccesses":[]}');
        req.end(" ".repeat(100));
      });
      expect(status).toBe(413);
      await expect(liveblocks.getRoom("cut")).rejects.toMatchObject({
        status: 404,
      });
    });
  });
});
