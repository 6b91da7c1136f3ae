/**
 * The audit trail's retention and immutability: the memory ring keeps the
 * newest `maxEntries`; SQLite and Postgres prune the oldest past
 * `maxEntries` or `maxAgeMs` in the writes' transactions; no store lets an
 * entry be changed; `audit: false` writes none; many parallel writers
 * through several Postgres instances lose no entry.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AuditEntry, AuditLogStore } from "../../../src/rooms/audit.js";
import type { RoomStore } from "../../../src/rooms/types.js";
import { MemoryStore } from "../../../src/stores/memory/store.js";
import { SqliteStore } from "../../../src/stores/sqlite/store.js";
import { PostgresStore } from "../../../src/stores/postgres/store.js";
import { makeRoom } from "../../../src/testing/index.js";
import { admin, DATABASE_URL, dropSchema, probePostgres, testSchema } from "../postgres/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "roomgate-audit-retention-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const unreachable = await probePostgres();

async function all(store: AuditLogStore): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await store.getAuditLog({ limit: 100, ...(cursor !== undefined && { cursor }) });
    out.push(...result.entries);
    if (result.nextCursor === null) return out;
    cursor = result.nextCursor;
  }
  throw new Error("too many pages");
}

/** `count` updates of one room, each changing it. */
async function writes(store: RoomStore, count: number): Promise<void> {
  await store.create(makeRoom("r"));
  for (let i = 1; i < count; i++) await store.update("r", { metadata: { n: String(i) } });
}

describe("audit retention", () => {
  it("MemoryStore - the ring keeps the newest maxEntries, newest first; audit: false keeps none", async () => {
    const store = new MemoryStore({ audit: { maxEntries: 5 } });
    await writes(store, 12);
    const entries = await all(store);
    expect(entries.map((entry) => entry.id)).toEqual(["12", "11", "10", "9", "8"]);
    const off = new MemoryStore({ audit: false });
    await writes(off, 3);
    expect(await all(off)).toEqual([]);
  });

  it("MemoryStore - entries older than maxAgeMs are not listed", async () => {
    let now = 1_000_000;
    const store = new MemoryStore({ audit: { maxAgeMs: 1000 }, now: () => now });
    await writes(store, 3);
    now += 600;
    await store.update("r", { metadata: { n: "late" } });
    now += 600;
    expect((await all(store)).map((entry) => entry.id)).toEqual(["4"]);
  });

  it("audit option - a bad retention is refused naming the option", () => {
    expect(() => new MemoryStore({ audit: { maxEntries: 0 } })).toThrow(/audit\.maxEntries/);
    expect(() => new SqliteStore({ filename: join(dir, `${files++}.db`), audit: { maxAgeMs: -1 } })).toThrow(/audit\.maxAgeMs/);
    expect(() => new MemoryStore({ audit: "yes" as never })).toThrow(/'audit'/);
  });

  it("SqliteStore - maxEntries prunes the oldest a batch at a time: the newest stay, at most 16 over", async () => {
    const store = new SqliteStore({ filename: join(dir, `${files++}.db`), audit: { maxEntries: 10 } });
    await writes(store, 100);
    const ids = (await all(store)).map((entry) => Number(entry.id));
    expect(ids.length).toBeGreaterThanOrEqual(10);
    expect(ids.length).toBeLessThanOrEqual(10 + 16);
    expect(ids[0]).toBe(100);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => 100 - i));
    await store.close();
  });

  it("SqliteStore - maxAgeMs prunes entries past the age; entries cannot be changed", async () => {
    let now = 1_000_000;
    const filename = join(dir, `${files++}.db`);
    const store = new SqliteStore({ filename, audit: { maxAgeMs: 1000 }, now: () => now });
    await writes(store, 10);
    now += 5000;
    await writes2(store, 40);
    const entries = await all(store);
    expect(entries.every((entry) => entry.at.getTime() === now)).toBe(true);
    expect(entries).toHaveLength(40);
    await store.close();
    const db = new Database(filename);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'mallory'").run()).toThrow(/audit entries cannot be changed/);
    db.close();
  });

  it("SqliteStore - audit: false writes no entry; entries written before stay readable", async () => {
    const filename = join(dir, `${files++}.db`);
    const on = new SqliteStore({ filename });
    await writes(on, 2);
    await on.close();
    const off = new SqliteStore({ filename, audit: false });
    await off.update("r", { metadata: { n: "off" } });
    expect((await all(off)).map((entry) => entry.id)).toEqual(["2", "1"]);
    await off.close();
  });
});

async function writes2(store: RoomStore, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await store.update("r", { metadata: { m: String(i) } });
}

describe.skipIf(unreachable !== null)(unreachable ?? "audit trail on PostgresStore", () => {
  it("PostgresStore - maxEntries prunes the oldest, maxAgeMs the old; entries cannot be changed", async () => {
    const schema = testSchema("audit_retention");
    let now = 1_000_000;
    const store = new PostgresStore({ connectionString: DATABASE_URL, schema, audit: { maxEntries: 10, maxAgeMs: 1000 }, now: () => now });
    try {
      await writes(store, 60);
      const ids = (await all(store)).map((entry) => Number(entry.id));
      expect(ids[0]).toBe(60);
      expect(ids.length).toBeGreaterThanOrEqual(10);
      expect(ids.length).toBeLessThanOrEqual(10 + 16);
      now += 5000;
      // The age bound prunes every entry of the earlier time (a batch per 16 writes).
      await writes2(store, 32);
      const entries = await all(store);
      expect(entries.every((entry) => entry.at.getTime() === now)).toBe(true);
      await expect(admin(`UPDATE "${schema}".audit_log SET actor = 'mallory'`)).rejects.toThrow(/audit entries cannot be changed/);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });

  it("PostgresStore - 4 instances × 60 parallel writes: every entry is there, once, with its actor", async () => {
    const schema = testSchema("audit_concurrent");
    const stores = Array.from({ length: 4 }, () => new PostgresStore({ connectionString: DATABASE_URL, schema, poolConfig: { max: 5 } }));
    try {
      await stores[0]!.create(makeRoom("shared"));
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 240; i++) {
        const store = stores[i % 4]!;
        const actor = `writer-${i}`;
        // Half on one contended room, half creating rooms of their own, some revoking.
        if (i % 3 === 0) writes.push(store.update("shared", { metadata: { [`k${i}`]: "v" } }, { actor }));
        else if (i % 3 === 1) writes.push(store.create(makeRoom(`room-${i}`), { actor }));
        else writes.push(store.revokeTokens(`user-${i}`, 1000 + i, { actor }));
      }
      await Promise.all(writes);
      const entries = await all(stores[1]!);
      expect(entries).toHaveLength(241);
      const actors = entries.map((entry) => entry.actor).filter((actor) => actor !== "api");
      expect(new Set(actors)).toEqual(new Set(Array.from({ length: 240 }, (_, i) => `writer-${i}`)));
      expect(new Set(entries.map((entry) => entry.id)).size).toBe(241);
      // Commit order per room: the shared room's updates each saw the ones before.
      const shared = (await all(stores[2]!)).filter((entry) => entry.roomId === "shared" && entry.type === "roomUpdated");
      expect(shared).toHaveLength(80);
      for (const entry of shared) expect(Object.keys(entry.changes!.metadata!)).toHaveLength(1);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await dropSchema(schema);
    }
  }, 60_000);
});
