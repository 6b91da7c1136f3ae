/**
 * SqliteStore with real separate connections and processes on one file:
 * concurrent writers, SIGKILL in the middle of writing, change events across
 * processes, and another process holding the write lock.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Liveblocks } from "../../../src/liveblocks/index.js";
import { SqliteBusyError, SqliteStore } from "../../../src/sqlite.js";
import type { RoomChangeEvent } from "../../../src/rooms/types.js";
import { makeRoom } from "../../../src/testing/index.js";

const SECRET = "sk_test_0123456789abcdefghijklmnopqrstuv";
const WORKER = join(import.meta.dirname, "fixtures", "sqlite-worker.ts");
const dir = mkdtempSync(join(tmpdir(), "roomgate-sqlite-processes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(dir, `${files++}.db`);

/** Starts the worker fixture; `lines` collects what it prints. */
function worker(...args: string[]): {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, ...args], { stdio: "pipe" });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => lines.push(line));
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += String(chunk)));
  const exit = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      if (code !== 0 && code !== null) console.error(stderr);
      resolve(code);
    }),
  );
  return { child, lines, exit };
}

describe("SqliteStore across connections and processes", () => {
  it("updateRoom - 4 Liveblocks instances with their own connections, 50 concurrent calls each, lose no user or key", async () => {
    const filename = newFile();
    const stores = Array.from({ length: 4 }, () => new SqliteStore({ filename }));
    const limits = { accessesEntries: 1000, metadataEntries: 1000 };
    const instances = stores.map((store) => new Liveblocks({ secret: SECRET, store, limits }));
    await instances[0]!.createRoom("shared", { defaultAccesses: [] });
    await Promise.all(
      instances.flatMap((liveblocks, w) =>
        Array.from({ length: 50 }, (_, i) =>
          liveblocks.updateRoom("shared", {
            usersAccesses: { [`w${w}-u${i}`]: ["room:read"] },
            metadata: { [`w${w}-k${i}`]: "v" },
          }),
        ),
      ),
    );
    const room = await instances[3]!.getRoom("shared");
    expect(Object.keys(room.usersAccesses)).toHaveLength(200);
    expect(Object.keys(room.metadata)).toHaveLength(200);
    await Promise.all(stores.map((store) => store.close()));
  });

  for (const kind of ["users", "metadata"] as const) {
    it(`updateRoom - 4 processes, 50 concurrent calls each adding ${kind}, all 200 land`, async () => {
      const filename = newFile();
      const store = new SqliteStore({ filename });
      await store.create(makeRoom("shared"));
      const workers = Array.from({ length: 4 }, (_, w) => worker(kind, filename, String(w)));
      expect(await Promise.all(workers.map((w) => w.exit))).toEqual([0, 0, 0, 0]);
      const room = (await store.get("shared"))!;
      const keys = Object.keys(kind === "users" ? room.usersAccesses : room.metadata);
      const expected = Array.from({ length: 4 }, (_, w) =>
        Array.from({ length: 50 }, (_, i) => (kind === "users" ? `w${w}-u${i}` : `w${w}-k${i}`)),
      ).flat();
      expect(keys.sort()).toEqual(expected.sort());
      await store.close();
    }, 60_000);
  }

  it("create - every write acknowledged before SIGKILL is on disk and the file is intact", async () => {
    for (let round = 0; round < 3; round++) {
      const filename = newFile();
      const { child, lines, exit } = worker("crash", filename);
      // Let it write for a while first (tsx start-up takes most of a second).
      await vi.waitFor(() => expect(lines.length).toBeGreaterThan(5), { timeout: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
      child.kill("SIGKILL");
      await exit;
      const acknowledged = [...lines];
      const db = new Database(filename);
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      db.close();
      const store = new SqliteStore({ filename });
      for (const line of acknowledged) {
        const [what, id] = line.split(" ") as [string, string];
        const room = await store.get(id);
        expect(room, line).not.toBeNull();
        if (what === "updated") expect(Object.keys(room!.usersAccesses), line).toHaveLength(1);
      }
      await store.close();
    }
  }, 90_000);

  it("subscribe - changes written by another process reach onRoomChange", async () => {
    const filename = newFile();
    const store = new SqliteStore({ filename, pollIntervalMs: 50 });
    const liveblocks = new Liveblocks({ secret: SECRET, store });
    const events: RoomChangeEvent[] = [];
    const unsubscribe = liveblocks.onRoomChange((event) => events.push(event));
    const { exit } = worker("write", filename, "from-child");
    expect(await exit).toBe(0);
    await vi.waitFor(() => expect(events).toHaveLength(4));
    // Each event carries the room as that change committed it, however late it is polled.
    const room = await store.get("from-child");
    const created = { ...room!, metadata: {} };
    expect(events.map((event) => [event.type, event.roomId])).toEqual([
      ["created", "from-child"],
      ["updated", "from-child"],
      ["created", "from-child-short-lived"],
      ["deleted", "from-child-short-lived"],
    ]);
    expect(events[0]!.room).toEqual(created);
    expect(events[1]!.room).toEqual(room);
    expect(events[2]!.room).toEqual({ ...created, id: "from-child-short-lived" });
    expect(room!.metadata).toEqual({ from: "child" });
    unsubscribe();
    await store.close();
  }, 30_000);

  it("revokeTokens - while another process holds the write lock, rejects on its signal or after busyTimeoutMs, then recovers", async () => {
    const filename = newFile();
    const store = new SqliteStore({ filename, busyTimeoutMs: 500 });
    await store.create(makeRoom("r", { defaultAccesses: ["room:write"] }));
    const lock = worker("lock", filename);
    await vi.waitFor(() => expect(lock.lines).toContain("locked"), { timeout: 20_000 });

    // Waiting for the lock leaves the event loop running.
    let ticks = 0;
    const interval = setInterval(() => ticks++, 5);
    const signal = AbortSignal.timeout(200);
    await expect(store.revokeTokens("alice", 1000, { signal })).rejects.toMatchObject({ name: "TimeoutError" });
    clearInterval(interval);
    expect(ticks).toBeGreaterThan(2);
    await expect(store.update("r", { metadata: { a: "b" } })).rejects.toBeInstanceOf(SqliteBusyError);

    // Readers are not blocked by a writer (WAL): room entry still works.
    const liveblocks = new Liveblocks({ secret: SECRET, store });
    const { body } = await liveblocks.identifyUser({ userId: "alice" });
    const token = (JSON.parse(body) as { token: string }).token;
    const access = await liveblocks.checkRoomAccess(token, "r", { signal: AbortSignal.timeout(300) });
    expect(access).toMatchObject({ allowed: true });

    lock.child.stdin.end();
    expect(await lock.exit).toBe(0);
    await store.revokeTokens("alice", Date.now() + 60_000);
    expect(await liveblocks.checkRoomAccess(token, "r")).toMatchObject({ allowed: false, reason: "revoked" });
    await store.close();
  }, 30_000);

  it("checkRoomAccess - a file held by another process denies with store-unavailable on time, then recovers by itself", async () => {
    const filename = newFile();
    const setup = new SqliteStore({ filename });
    await setup.create(makeRoom("r", { defaultAccesses: ["room:write"] }));
    await setup.close();
    const hold = worker("hold", filename);
    await vi.waitFor(() => expect(hold.lines).toContain("held"), { timeout: 20_000 });

    // Opening does not fail: the store keeps trying on each operation.
    const store = new SqliteStore({ filename, busyTimeoutMs: 300 });
    const liveblocks = new Liveblocks({ secret: SECRET, store });
    const { body } = await liveblocks.identifyUser({ userId: "alice" });
    const token = (JSON.parse(body) as { token: string }).token;
    const denied = await liveblocks.checkRoomAccess(token, "r", { signal: AbortSignal.timeout(200) });
    expect(denied).toMatchObject({ allowed: false, reason: "store-unavailable" });
    await expect(store.get("r")).rejects.toBeInstanceOf(SqliteBusyError);
    const events: string[] = [];
    store.subscribe((event) => events.push(`${event.type}:${event.roomId}`));

    hold.child.stdin.end();
    expect(await hold.exit).toBe(0);
    expect(await liveblocks.checkRoomAccess(token, "r")).toMatchObject({ allowed: true });
    // A listener added before the file opened receives other processes' changes too.
    const other = new SqliteStore({ filename });
    await other.create(makeRoom("later"));
    await vi.waitFor(() => expect(events).toEqual(["created:later"]));
    await Promise.all([store.close(), other.close()]);
  }, 30_000);

  it("checkRoomAccess - a closed store denies with store-unavailable instead of throwing", async () => {
    const store = new SqliteStore({ filename: newFile() });
    const liveblocks = new Liveblocks({ secret: SECRET, store });
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const { body } = await liveblocks.identifyUser({ userId: "alice" });
    const token = (JSON.parse(body) as { token: string }).token;
    await store.close();
    expect(await liveblocks.checkRoomAccess(token, "r")).toMatchObject({ allowed: false, reason: "store-unavailable" });
  });
});
