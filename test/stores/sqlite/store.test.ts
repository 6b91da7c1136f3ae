import Database from "better-sqlite3";
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { RoomPermission } from "../../../src/permissions/scopes.js";
import { SqliteStore } from "../../../src/sqlite.js";
import { MemoryStore } from "../../../src/stores/memory/store.js";
import { listStatement, prefixSuccessor } from "../../../src/stores/sqlite/query.js";
import { SCHEMA_VERSION } from "../../../src/stores/sqlite/schema.js";
import type { RoomChangeEvent, RoomFilter, RoomPatch, RoomStore } from "../../../src/rooms/types.js";
import { at, collectRooms, makeGroup, makeRoom, testRoomStore } from "../../../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "roomgate-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(dir, `${files++}.db`);

testRoomStore({ name: "SqliteStore", create: () => new SqliteStore({ filename: newFile() }) });

const ids = async (store: RoomStore, filter: RoomFilter, limit = 100) => (await collectRooms(store, filter, limit)).map((room) => room.id);

describe("SqliteStore file", () => {
  it("create - rooms survive closing and reopening the file, createdAt to the millisecond", async () => {
    const filename = newFile();
    const store = new SqliteStore({ filename });
    const room = makeRoom("r", {
      createdAt: new Date(1_700_000_000_123),
      lastConnectionAt: new Date(1_700_000_000_999),
      defaultAccesses: ["room:read"],
      usersAccesses: { alice: ["room:write"] },
      groupsAccesses: { eng: ["*:read"] },
      metadata: { status: "open", tags: ["b", "a", "b"], empty: [] },
    });
    await store.create(room);
    await store.revokeTokens("alice", 1234);
    await store.close();
    const reopened = new SqliteStore({ filename });
    expect(await reopened.get("r")).toEqual(room);
    expect((await reopened.get("r"))!.metadata.tags).toEqual(["b", "a", "b"]);
    expect(await reopened.getRevocation("alice")).toBe(1234);
    await reopened.close();
  });

  it("update - metadata arrays keep order and duplicates; keys keep their insertion order", async () => {
    const store = new SqliteStore({ filename: newFile() });
    await store.create(makeRoom("r", { usersAccesses: { b: ["*:read"], a: ["*:read"] }, metadata: { z: "1", y: [] } }));
    await store.update("r", { usersAccesses: { b: ["*:write"], c: ["*:read"] }, metadata: { y: ["x", "x", "w"] } });
    const room = (await store.get("r"))!;
    expect(Object.keys(room.usersAccesses)).toEqual(["b", "a", "c"]);
    expect(room.metadata).toEqual({ z: "1", y: ["x", "x", "w"] });
    await store.update("r", { metadata: { y: ["w"] } });
    expect(await ids(store, { metadata: [["y", "x"]] })).toEqual([]);
    expect(await ids(store, { metadata: [["y", "w"]] })).toEqual(["r"]);
    await store.close();
  });

  it("open - refuses a file of a newer schema version", async () => {
    const filename = newFile();
    await new SqliteStore({ filename }).close();
    const db = new Database(filename);
    expect(db.prepare("SELECT version FROM roomgate_schema").pluck().get()).toBe(SCHEMA_VERSION);
    db.prepare("UPDATE roomgate_schema SET version = ?").run(SCHEMA_VERSION + 1);
    db.close();
    expect(() => new SqliteStore({ filename })).toThrow(`schema version ${SCHEMA_VERSION + 1}, newer than ${SCHEMA_VERSION}`);
  });

  it("open - a version 1 file (before groups) gains the group tables and keeps its rooms", async () => {
    const filename = newFile();
    const old = new SqliteStore({ filename });
    await old.create(makeRoom("r"));
    await old.close();
    const db = new Database(filename);
    // A version 1 file has neither the group tables nor the later migrations' indexes and tables.
    db.exec(
      "DROP TABLE webhook_deliveries; DROP TABLE webhook_events; DROP TABLE webhook_endpoints; DROP TABLE audit_log; DROP TABLE group_members; DROP TABLE groups; DROP INDEX rooms_public; UPDATE roomgate_schema SET version = 1",
    );
    db.close();
    const store = new SqliteStore({ filename });
    expect(await store.get("r")).toEqual(makeRoom("r"));
    const group = {
      type: "group",
      id: "g",
      tenantId: "default",
      organizationId: "default",
      createdAt: at(1),
      updatedAt: at(1),
      scopes: {},
      members: [],
    } as const;
    expect((await store.createGroup(makeGroup("g"))).created).toBe(true);
    await store.close();
    const check = new Database(filename);
    expect(check.prepare("SELECT version FROM roomgate_schema").pluck().get()).toBe(SCHEMA_VERSION);
    check.close();
  });

  it("open - reopening a current file migrates nothing and keeps the data", async () => {
    const filename = newFile();
    const first = new SqliteStore({ filename });
    await first.create(makeRoom("r"));
    const second = new SqliteStore({ filename });
    expect(await second.get("r")).toEqual(makeRoom("r"));
    await Promise.all([first.close(), second.close()]);
  });

  it("open - the file is in WAL mode and a rename cascades to the entries (foreign keys on)", async () => {
    const filename = newFile();
    const store = new SqliteStore({ filename });
    const db = new Database(filename);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
    // The store's own connection: read its pragmas through a rename that needs cascades.
    await store.create(makeRoom("a", { usersAccesses: { alice: ["*:read"] }, metadata: { k: "v" } }));
    await store.rename("a", "b");
    expect(await ids(store, { userId: "alice" })).toEqual(["b"]);
    expect(await ids(store, { metadata: [["k", "v"]] })).toEqual(["b"]);
    await store.close();
  });

  it("list - every filter is answered from an index, never a scan; common ones need no sort", async () => {
    const filename = newFile();
    await new SqliteStore({ filename }).close();
    const db = new Database(filename);
    const filters: RoomFilter[] = [
      {},
      { userId: "a" },
      { groupIds: ["g", "h"] },
      { userId: "a", groupIds: ["g"] },
      { organizationId: "o" },
      { roomId: "x" },
      { roomIdPrefix: "p" },
      { metadata: [["k", "v"]] },
      {
        metadata: [
          ["k", "v"],
          ["k2", "v"],
        ],
        organizationId: "o",
      },
    ];
    for (const filter of filters) {
      const { sql, params } = listStatement(filter, { ms: 1, id: "x" }, 11);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail);
      expect(
        plan.filter((detail) => detail.startsWith("SCAN")),
        JSON.stringify(filter),
      ).toEqual([]);
    }
    // No filter, an organization, a lone user or group: walked in order, so a page stops at `limit` rows.
    for (const filter of [{}, { organizationId: "o" }, { userId: "a" }, { groupIds: ["g"] }]) {
      const { sql, params } = listStatement(filter, { ms: 1, id: "x" }, 11);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail);
      expect(plan.join(" | "), JSON.stringify(filter)).not.toContain("TEMP B-TREE");
    }
    db.close();
  });

  it("update - the change log drops rows older than its retention as writes go on", async () => {
    const filename = newFile();
    const store = new SqliteStore({ filename });
    await store.create(makeRoom("r"));
    const db = new Database(filename);
    db.prepare("INSERT INTO changes (room_id, type, at) VALUES ('old', 'updated', 0)").run();
    const count = db.prepare("SELECT count(*) FROM changes").pluck();
    for (let i = 0; i < 256; i++) await store.update("r", { metadata: { i: String(i) } });
    expect(db.prepare("SELECT count(*) FROM changes WHERE room_id = 'old'").pluck().get()).toBe(0);
    expect(count.get()).toBeLessThanOrEqual(257);
    db.close();
    await store.close();
  });

  it("constructor - rejects a missing filename and out-of-range timings, naming the option", () => {
    expect(() => new SqliteStore({ filename: "" })).toThrow("Invalid value for field 'filename'. Please provide a non-empty string.");
    expect(() => new SqliteStore({ filename: newFile(), busyTimeoutMs: -1 })).toThrow(
      "Invalid value for field 'busyTimeoutMs'. Please provide a non-negative integer.",
    );
    expect(() => new SqliteStore({ filename: newFile(), pollIntervalMs: 0 })).toThrow(
      "Invalid value for field 'pollIntervalMs'. Please provide a positive integer.",
    );
  });

  it("close - is idempotent; later calls reject with a clear error", async () => {
    const store = new SqliteStore({ filename: newFile() });
    await store.close();
    await store.close();
    await expect(store.get("r")).rejects.toThrow("SqliteStore: the store is closed");
  });

  it("create - a lone surrogate or NUL in an id or key is refused, not silently rewritten", async () => {
    const store = new SqliteStore({ filename: newFile() });
    await expect(store.create(makeRoom("a\uD800"))).rejects.toThrow(/room id must not contain NUL characters or unpaired surrogates/);
    await expect(store.create(makeRoom("a\0b"))).rejects.toThrow(TypeError);
    await expect(store.create(makeRoom("r", { metadata: { k: ["\uDC00"] } }))).rejects.toThrow(/metadata value/);
    expect(await ids(store, {})).toEqual([]);
    await store.close();
  });
});

describe("SqliteStore entry point", () => {
  it("import - roomgate does not load better-sqlite3; roomgate/sqlite does", () => {
    const script = `
      import { createRequire } from "node:module";
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes("better-sqlite3"));
      await import("./src/index.ts");
      const before = loaded();
      await import("./src/sqlite.ts");
      console.log(JSON.stringify([before, loaded()]));`;
    const output = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    expect(JSON.parse(output)).toEqual([false, true]);
  });
});

describe("SqliteStore rename and access rules", () => {
  it("rename - moves entries and metadata, keeps createdAt, frees the old id", async () => {
    const store = new SqliteStore({ filename: newFile() });
    const room = makeRoom("old", {
      createdAt: at(3),
      usersAccesses: { alice: ["*:write"] },
      groupsAccesses: { eng: ["*:read"] },
      metadata: { tags: ["x", "y"] },
    });
    await store.create(room);
    await store.create(makeRoom("taken"));
    expect(await store.rename("old", "taken")).toBe("exists");
    expect(await store.rename("missing", "new")).toBe("not-found");
    const events: RoomChangeEvent[] = [];
    store.subscribe((event) => events.push(event));
    expect(await store.rename("old", "new")).toEqual({ ...room, id: "new" });
    expect(events.map((event) => [event.type, event.roomId])).toEqual([
      ["deleted", "old"],
      ["created", "new"],
    ]);
    expect(await store.get("old")).toBeNull();
    expect(await ids(store, { groupIds: ["eng"] })).toEqual(["new"]);
    expect(await ids(store, { metadata: [["tags", "y"]] })).toEqual(["new"]);
    await store.create(makeRoom("old"));
    expect((await store.get("old"))!.usersAccesses).toEqual({});
    await store.close();
  });

  it("getAccessRules - reads only the subject's user entry and groups", async () => {
    const store = new SqliteStore({ filename: newFile() });
    await store.create(
      makeRoom("r", {
        usersAccesses: { alice: ["*:write"], bob: ["*:read"] },
        groupsAccesses: { eng: ["*:read"], ops: ["*:write"], sales: ["*:read"] },
      }),
    );
    const rules = await store.getAccessRules("r", { userId: "alice", groupIds: ["ops", "sales", "none"] });
    expect(rules).toEqual({
      defaultAccesses: [],
      usersAccesses: { alice: ["*:write"] },
      groupsAccesses: { ops: ["*:write"], sales: ["*:read"] },
      organizationId: "default",
    });
    await store.close();
  });
});

describe("SqliteStore listing agrees with MemoryStore", () => {
  it("prefixSuccessor - the next code point, past the surrogates and U+10FFFF", () => {
    expect(prefixSuccessor("org:")).toBe("org;");
    expect(prefixSuccessor("a\uD7FF")).toBe("a\uE000");
    expect(prefixSuccessor("a\u{10FFFF}")).toBe("b");
    expect(prefixSuccessor("😀")).toBe("😁");
    expect(prefixSuccessor("\u{10FFFF}")).toBeNull();
  });

  it("list - random writes and filters over non-ASCII ids give MemoryStore's pages", async () => {
    const id = fc.constantFrom("a", "ab", "\uE000", "\uFFFF", "😀", "😀x", "é", "\uD7FF", "\u{10FFFF}", "__proto__", "a%", "A_");
    const user = fc.constantFrom("alice", "bob", "😀");
    const group = fc.constantFrom("eng", "ops");
    const meta = fc.oneof(fc.constantFrom("x", "y"), fc.array(fc.constantFrom("x", "y", "z"), { maxLength: 3 }));
    const map = <V>(key: fc.Arbitrary<string>, value: fc.Arbitrary<V>) =>
      fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 2 }).map((e) => Object.fromEntries(e));
    const command = fc.oneof(
      fc.record({
        kind: fc.constant("create" as const),
        id,
        second: fc.integer({ min: 0, max: 2 }),
        users: map(user, fc.constant<RoomPermission>(["*:read"])),
        groups: map(group, fc.constant<RoomPermission>(["*:read"])),
        metadata: map(fc.constantFrom("k", "t"), meta),
      }),
      fc.record({
        kind: fc.constant("update" as const),
        id,
        users: map(user, fc.option(fc.constant<RoomPermission>(["*:write"]), { nil: null })),
        metadata: map(fc.constantFrom("k", "t"), fc.option(meta, { nil: null })),
      }),
      fc.record({ kind: fc.constant("delete" as const), id }),
    );
    const filter = fc.record(
      {
        userId: user,
        groupIds: fc.array(group, { maxLength: 2 }),
        roomIdPrefix: fc.constantFrom("a", "😀", "\uFFFF", "", "A_", "a%"),
        metadata: fc.array(fc.tuple(fc.constantFrom("k", "t"), fc.constantFrom("x", "y")), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    );
    const filename = newFile();
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { maxLength: 25 }),
        fc.array(fc.tuple(filter, fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 4 }),
        async (commands, queries) => {
          rmSync(filename, { force: true });
          rmSync(`${filename}-wal`, { force: true });
          rmSync(`${filename}-shm`, { force: true });
          const sqlite = new SqliteStore({ filename });
          const memory = new MemoryStore();
          try {
            for (const c of commands) {
              for (const store of [sqlite, memory] as RoomStore[]) {
                if (c.kind === "create") {
                  await store.create(
                    makeRoom(c.id, {
                      createdAt: at(c.second),
                      usersAccesses: c.users,
                      groupsAccesses: c.groups,
                      metadata: c.metadata,
                    }),
                  );
                } else if (c.kind === "update") {
                  await store.update(c.id, { usersAccesses: c.users, metadata: c.metadata } as RoomPatch);
                } else {
                  await store.delete(c.id);
                }
              }
            }
            for (const [f, limit] of queries) {
              expect(await collectRooms(sqlite, f, limit)).toEqual(await collectRooms(memory, f, limit));
            }
          } finally {
            await sqlite.close();
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("SqliteStore events across connections", () => {
  it("subscribe - changes written by another connection to the file reach the listeners", async () => {
    const filename = newFile();
    const writer = new SqliteStore({ filename });
    const reader = new SqliteStore({ filename, pollIntervalMs: 20 });
    const events: RoomChangeEvent[] = [];
    const unsubscribe = reader.subscribe((event) => events.push(event));
    await reader.create(makeRoom("own"));
    const created = await writer.create(makeRoom("r"));
    const updated = await writer.update("r", { usersAccesses: { alice: ["*:read"] } });
    await writer.delete("own");
    await vi.waitFor(() => expect(events).toHaveLength(4));
    expect(events).toEqual([
      { type: "created", roomId: "own", room: makeRoom("own") },
      { type: "created", roomId: "r", room: expect.objectContaining({ id: "r" }) },
      { type: "updated", roomId: "r", room: updated },
      { type: "deleted", roomId: "own", room: null },
    ]);
    // Polled events carry the room as stored when polled.
    expect(created.created).toBe(true);
    unsubscribe();
    await Promise.all([writer.close(), reader.close()]);
  });

  it("subscribe - listeners see other connections' earlier commits before the instance's own write", async () => {
    const filename = newFile();
    const other = new SqliteStore({ filename });
    // A poller that never runs in this test: catching up must not wait for it.
    const store = new SqliteStore({ filename, pollIntervalMs: 60_000 });
    const events: string[] = [];
    store.subscribe((event) => events.push(`${event.type}:${event.roomId}`));
    await other.create(makeRoom("first"));
    await other.update("first", { metadata: { a: "b" } });
    await store.create(makeRoom("second"));
    expect(events).toEqual(["created:first", "updated:first", "created:second"]);
    await Promise.all([other.close(), store.close()]);
  });

  it("subscribe - own writes are delivered once, even interleaved with other connections' writes", async () => {
    const filename = newFile();
    const other = new SqliteStore({ filename });
    const store = new SqliteStore({ filename, pollIntervalMs: 10 });
    const events: string[] = [];
    store.subscribe((event) => events.push(`${event.type}:${event.roomId}`));
    for (let i = 0; i < 5; i++) {
      await other.create(makeRoom(`o${i}`));
      await store.create(makeRoom(`s${i}`));
    }
    await other.create(makeRoom("marker"));
    await vi.waitFor(() => expect(events).toContain("created:marker"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([...events].sort()).toEqual(
      ["marker", ...Array.from({ length: 5 }, (_, i) => [`o${i}`, `s${i}`]).flat()].map((id) => `created:${id}`).sort(),
    );
    await Promise.all([other.close(), store.close()]);
  });
});
