/**
 * Security review "hardening, round two", item 15: SQLite lock contention
 * over HTTP, and the file's permissions.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Liveblocks } from "../../../src/liveblocks/index.js";
import { SqliteBusyError, SqliteStore } from "../../../src/sqlite.js";
import { SECRET, startServer } from "../../http/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "roomgate-sqlite-h2-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("item 15 - SqliteStore", () => {
  it("HTTP - a file locked past busyTimeoutMs answers 503 with Retry-After, not 500", async () => {
    const filename = join(dir, "busy.db");
    const store = new SqliteStore({ filename, busyTimeoutMs: 100 });
    const liveblocks = new Liveblocks({ secret: SECRET, store });
    await liveblocks.createRoom("r", { defaultAccesses: [] });
    const holder = new Database(filename);
    holder.exec("BEGIN IMMEDIATE");
    const errors: unknown[] = [];
    const server = await startServer(liveblocks, { onError: (error) => errors.push(error) });
    try {
      await expect(liveblocks.createRoom("s", { defaultAccesses: [] })).rejects.toBeInstanceOf(SqliteBusyError);
      const response = await server.call("POST", "/v2/rooms", { id: "t", defaultAccesses: [] });
      expect(response.status).toBe(503);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await response.json()).toMatchObject({ error: "STORE_UNAVAILABLE" });
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
      await server.close();
      await store.close();
    }
  });

  it("file - created 0600, and its -wal and -shm files too", async () => {
    const filename = join(dir, "private.db");
    const store = new SqliteStore({ filename });
    await store.revokeTokens("alice", 1);
    for (const file of [filename, `${filename}-wal`, `${filename}-shm`]) {
      expect((statSync(file).mode & 0o777).toString(8), file).toBe("600");
    }
    await store.close();
  });
});
