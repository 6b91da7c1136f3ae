import { type Server, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type RequestHandler, createRequestHandler, toNodeListener } from "../../src/http/index.js";
import { SECRET, makeLiveblocks } from "../liveblocks/helpers.js";

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
