/**
 * `startServer` in process: its `close()` must close the store it opened
 * (a child process cannot show this: exiting closes files and sockets anyway).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startServer } from "../../src/cli/serve.js";
import { DATABASE_URL, dropSchema, probePostgres, TcpProxy, testSchema } from "../stores/postgres/helpers.js";
import { tempDir } from "./helpers.js";

const SECRET = "sk_test_roomgate_serve_0123456789";
const quiet = () => undefined;

describe("startServer close", () => {
  it("close - closes the SQLite store (reads reject afterwards)", async () => {
    const dir = tempDir();
    try {
      const running = await startServer({
        port: 0,
        host: "127.0.0.1",
        secret: SECRET,
        log: quiet,
        store: { kind: "sqlite", filename: join(dir, "rooms.db") },
      });
      expect(await running.store.get("nope")).toBeNull();
      await running.close();
      await expect(running.store.get("nope")).rejects.toThrow(/closed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("startServer close with an event stream open", () => {
  it("close - cuts a stream named through an escaped path at once (regression: a raw-URL regex missed /v2/room%2Devents, so the stop waited out the 10 s grace)", async () => {
    const running = await startServer({ port: 0, host: "127.0.0.1", secret: SECRET, log: quiet, store: { kind: "memory" } });
    const controller = new AbortController();
    const events = await fetch(`${running.url}/v2/room%2Devents`, {
      headers: { authorization: `Bearer ${SECRET}` },
      signal: controller.signal,
    });
    expect(events.status).toBe(200);
    expect(events.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = events.body!.getReader();
    await reader.read(); // ": connected"
    const stopping = performance.now();
    await running.close();
    await reader.read().catch(() => undefined);
    // The grace period for other requests is 10 s; the stream must not hold the stop for it.
    expect(performance.now() - stopping).toBeLessThan(5_000);
    controller.abort();
  });
});

const pgUnavailable = await probePostgres();
if (pgUnavailable) console.warn(`Skipping startServer close with PostgreSQL: ${pgUnavailable}`);

describe.skipIf(pgUnavailable !== null)("startServer close with PostgreSQL", () => {
  it("close - ends the PostgreSQL pool (queries reject afterwards)", async () => {
    const schema = testSchema("serveclose");
    try {
      const running = await startServer({
        port: 0,
        host: "127.0.0.1",
        secret: SECRET,
        log: quiet,
        store: { kind: "postgres", connectionString: DATABASE_URL, schema },
      });
      expect(await running.store.get("nope")).toBeNull();
      await running.close();
      await expect(running.store.get("nope")).rejects.toThrow();
    } finally {
      await dropSchema(schema);
    }
  });
});

describe("startServer probes", () => {
  it("probes - /healthz and /readyz answer without the secret, with no internals; /readyz is 503 while stopping", async () => {
    const running = await startServer({ port: 0, host: "127.0.0.1", secret: SECRET, log: quiet, store: { kind: "memory" } });
    try {
      for (const [path, status] of [
        ["/healthz", "ok"],
        ["/readyz", "ready"],
        ["/readyz?verbose=1", "ready"],
      ] as const) {
        const response = await fetch(running.url + path);
        expect(response.status, path).toBe(200);
        expect(await response.json(), path).toEqual({ status });
        expect(response.headers.get("cache-control")).toBe("no-store");
      }
      // Anything else still needs the secret.
      expect((await fetch(`${running.url}/v2/rooms`)).status).toBe(401);
      expect((await fetch(`${running.url}/healthz`, { method: "POST" })).status).toBe(401);
      // A kept-alive connection asks again once the server is stopping.
      const { Agent, request } = await import("node:http");
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const get = (path: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(running.url + path, { agent }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode!));
          });
          req.on("error", reject);
          req.end();
        });
      expect(await get("/readyz")).toBe(200);
      const closed = running.close();
      expect(await get("/readyz").catch(() => 503)).toBe(503);
      await closed;
      agent.destroy();
    } finally {
      await running.close();
    }
  });
});

describe.skipIf(pgUnavailable !== null)("startServer probes with PostgreSQL", () => {
  it("probes - /readyz is 503 while the database is unreachable and 200 again once it is back; /healthz stays 200", async () => {
    const schema = testSchema("probes");
    const proxy = new TcpProxy();
    await proxy.start();
    const running = await startServer({
      port: 0,
      host: "127.0.0.1",
      secret: SECRET,
      log: quiet,
      store: { kind: "postgres", connectionString: proxy.url, schema },
    });
    try {
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
      await proxy.stop();
      const down = await fetch(`${running.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: "unavailable" });
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
      await proxy.start();
      await expect.poll(async () => (await fetch(`${running.url}/readyz`)).status, { timeout: 10_000 }).toBe(200);
    } finally {
      await running.close();
      await proxy.stop();
      await dropSchema(schema);
    }
  });
});
