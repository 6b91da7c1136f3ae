/** `--memory` must not load the optional drivers: better-sqlite3 and pg are optional peers. */
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startServer } from "../../src/cli/serve.js";
import { tempDir } from "./helpers.js";

const require = createRequire(import.meta.url);
const drivers = () => Object.keys(require.cache).filter((path) => /[\\/](better-sqlite3|pg)[\\/]/.test(path));

describe("startServer drivers", () => {
  it("startServer - the memory store loads neither better-sqlite3 nor pg; the SQLite store loads better-sqlite3", async () => {
    const options = { port: 0, host: "127.0.0.1", secret: "sk_test_roomgate_serve_0123456789", log: () => undefined };
    const memory = await startServer({ ...options, store: { kind: "memory" } });
    await memory.close();
    expect(drivers()).toEqual([]);
    const dir = tempDir();
    try {
      const sqlite = await startServer({ ...options, store: { kind: "sqlite", filename: join(dir, "rooms.db") } });
      await sqlite.close();
      expect(drivers().some((path) => path.includes("better-sqlite3"))).toBe(true);
      expect(drivers().some((path) => /[\\/]pg[\\/]/.test(path))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
