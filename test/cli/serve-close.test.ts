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
