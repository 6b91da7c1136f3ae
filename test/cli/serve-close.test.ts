/**
 * `startServer` in process: its `close()` must close the store it opened
 * (a child process cannot show this: exiting closes files and sockets anyway).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startServer } from "../../src/cli/serve.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../stores/postgres/helpers.js";
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
