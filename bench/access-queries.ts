/**
 * Issue 25's access queries.
 *
 * 1. `explainAccess` against `resolveAccess` on the same room and identity
 *    (target ≤ 3×), interleaved rounds, 16 rooms × 16 identities in
 *    rotation; every explanation is first checked to carry resolveAccess's
 *    decision.
 * 2. `getRooms({ accessibleBy })`, a page of 20 for a user in 5 groups,
 *    through `Liveblocks`, at 100k rooms against 10k (target ≤ 2×) on
 *    MemoryStore and SqliteStore, the two sizes in alternating rounds. Every
 *    answer is first checked against a scan with `resolveAccess` (the whole
 *    cursor walk at both sizes).
 *
 *   npx tsx bench/access-queries.ts
 */
import { deepStrictEqual } from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  type AccessIdentity,
  Liveblocks,
  MemoryStore,
  type RoomAccessRules,
  type RoomData,
  explainAccess,
  resolveAccess,
} from "../src/index.js";
import { SqliteStore } from "../src/sqlite.js";
import { compareSortKeys } from "../src/rooms/order.js";
import { compare, compareSync } from "./interleave.js";
import { makeIssueRooms, random } from "./rooms-data.js";

const SECRET = "sk_bench_0123456789abcdef0123456789abcdef";
console.log(`Node ${process.version}, ${process.platform}/${process.arch}, ${cpus()[0]?.model ?? "unknown CPU"}\n`);

/* --- 1. explainAccess vs resolveAccess ------------------------------------- */

const LISTS = [
  ["room:read"],
  ["room:write"],
  ["room:read", "room:presence:write"],
  ["*:read", "comments:write"],
  ["*:write", "storage:read"],
];

function makeRoom(next: () => number, users: number, groups: number, frozen: boolean): RoomAccessRules {
  const list = () => {
    const scopes = [...LISTS[Math.floor(next() * LISTS.length)]!];
    return frozen ? Object.freeze(scopes) : scopes;
  };
  const map = (prefix: string, count: number) => {
    const entries: Record<string, readonly string[]> = {};
    for (let i = 0; i < count; i++) entries[`${prefix}-${i}`] = list();
    return frozen ? Object.freeze(entries) : entries;
  };
  const rules = { defaultAccesses: next() < 0.5 ? [] : list(), usersAccesses: map("user", users), groupsAccesses: map("group", groups) };
  return frozen ? Object.freeze(rules) : rules;
}

function makeIdentity(next: () => number, users: number, roomGroups: number, groups: number): AccessIdentity {
  const groupIds = new Set<string>();
  while (groupIds.size < groups)
    groupIds.add(next() < 0.5 ? `group-${Math.floor(next() * roomGroups)}` : `elsewhere-${Math.floor(next() * 1000)}`);
  return { userId: next() < 0.5 ? `user-${Math.floor(next() * users)}` : `visitor-${Math.floor(next() * 1000)}`, groupIds: [...groupIds] };
}

const explainCases = [
  ["small room (3 users, 2 groups), user in 2 groups, as getRoom returns it", 3, 2, 2, false],
  ["100 users + 100 groups, user in 5 groups, as getRoom returns it", 100, 100, 5, false],
  ["100 users + 100 groups, user in 5 groups, frozen (MemoryStore's rules)", 100, 100, 5, true],
] as const;
console.log("explainAccess vs resolveAccess on the same room (median of interleaved rounds)");
for (const [name, users, roomGroups, userGroups, frozen] of explainCases) {
  const next = random(users * 7 + roomGroups);
  const rooms = Array.from({ length: 16 }, () => makeRoom(next, users, roomGroups, frozen));
  const identities = Array.from({ length: 16 }, () => makeIdentity(next, users, roomGroups, userGroups));
  for (let i = 0; i < 16; i++) deepStrictEqual(explainAccess(rooms[i]!, identities[i]!).decision, resolveAccess(rooms[i]!, identities[i]!));
  const { ratio, subject, baseline } = await compareSync(
    (i) => resolveAccess(rooms[i & 15]!, identities[i & 15]!),
    (i) => explainAccess(rooms[i & 15]!, identities[i & 15]!),
    20_000,
  );
  console.log(
    `  ${name.padEnd(74)} ${(subject * 1000).toFixed(0).padStart(5)} ns vs ${(baseline * 1000).toFixed(0).padStart(5)} ns  ${ratio.toFixed(2)}x  (target ≤ 3x: ${ratio <= 3 ? "ok" : "OVER"})`,
  );
  // The parts are built when read: the same with every part read (what the REST route sends), no target.
  const full = await compareSync(
    (i) => resolveAccess(rooms[i & 15]!, identities[i & 15]!),
    (i) => explainAccess(rooms[i & 15]!, identities[i & 15]!).toJSON(),
    20_000,
  );
  console.log(
    `  ${"  same, every part read (toJSON: summary, resources, layers)".padEnd(74)} ${(full.subject * 1000).toFixed(0).padStart(5)} ns vs ${(full.baseline * 1000).toFixed(0).padStart(5)} ns  ${full.ratio.toFixed(2)}x  (no target)`,
  );
}

/* --- 2. getRooms({ accessibleBy }) at 100k vs 10k --------------------------- */

const WHO = { userId: "user-target", groupIds: ["group-1", "group-2", "group-3", "group-4", "group-5"] };

/** The issue's rooms, 1% of them public (a default of room:read). */
function roomsOf(count: number): RoomData[] {
  return makeIssueRooms(count).map((room, i) => (i % 100 === 7 ? { ...room, defaultAccesses: ["room:read"] } : room));
}

function scan(rooms: readonly RoomData[]): string[] {
  return rooms
    .filter((room) => resolveAccess(room, WHO).canEnter)
    .sort((a, b) => compareSortKeys({ ms: b.createdAt.getTime(), id: b.id }, { ms: a.createdAt.getTime(), id: a.id }))
    .map((room) => room.id);
}

async function check(liveblocks: Liveblocks, rooms: readonly RoomData[]): Promise<void> {
  const got: string[] = [];
  for (let page = await liveblocks.getRooms({ accessibleBy: WHO }); ;) {
    got.push(...page.data.map((room) => room.id));
    if (page.nextCursor === null) break;
    page = await liveblocks.getRooms({ accessibleBy: WHO, startingAfter: page.nextCursor });
  }
  const expected = scan(rooms);
  if (expected.length < 21) throw new Error("fewer than a page of accessible rooms");
  deepStrictEqual(got, expected);
}

function fillSqlite(filename: string, rooms: readonly RoomData[]): void {
  new SqliteStore({ filename }).close();
  const db = new Database(filename);
  const room = db.prepare("INSERT INTO rooms VALUES (?, ?, NULL, ?, ?)");
  const user = db.prepare("INSERT INTO room_users (room_id, user_id, scopes, created_at) VALUES (?, ?, ?, ?)");
  const group = db.prepare("INSERT INTO room_groups (room_id, group_id, scopes, created_at) VALUES (?, ?, ?, ?)");
  const meta = db.prepare("INSERT INTO room_metadata (room_id, key, position, value, is_array) VALUES (?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (const r of rooms) {
      const ms = r.createdAt.getTime();
      room.run(r.id, ms, r.organizationId, JSON.stringify(r.defaultAccesses));
      for (const [k, v] of Object.entries(r.usersAccesses)) user.run(r.id, k, JSON.stringify(v), ms);
      for (const [k, v] of Object.entries(r.groupsAccesses)) group.run(r.id, k, JSON.stringify(v), ms);
      for (const [k, v] of Object.entries(r.metadata)) meta.run(r.id, k, 0, v as string, 0);
    }
  })();
  db.pragma("optimize");
  db.close();
}

const dir = mkdtempSync(join(tmpdir(), "roomgate-bench-access-"));
const sqliteStores: SqliteStore[] = [];
try {
  const sizes = [10_000, 100_000];
  const data = sizes.map(roomsOf);
  const memory: Liveblocks[] = [];
  const sqlite: Liveblocks[] = [];
  for (const rooms of data) {
    const store = new MemoryStore();
    for (const room of rooms) await store.create(room);
    memory.push(new Liveblocks({ secret: SECRET, store }));
    const filename = join(dir, `${rooms.length}.db`);
    fillSqlite(filename, rooms);
    const file = new SqliteStore({ filename });
    sqliteStores.push(file);
    sqlite.push(new Liveblocks({ secret: SECRET, store: file }));
  }
  for (const [i, rooms] of data.entries()) {
    await check(memory[i]!, rooms);
    await check(sqlite[i]!, rooms);
  }
  console.log(`\ngetRooms({ accessibleBy }) page of 20, user in 5 groups (~${scan(data[1]!).length} of 100k rooms enterable): 100k vs 10k`);
  for (const [name, pair, iterations] of [
    ["MemoryStore", memory, 2000],
    ["SqliteStore", sqlite, 100],
  ] as const) {
    const { ratio, subject, baseline } = await compare(
      () => pair[0]!.getRooms({ accessibleBy: WHO }),
      () => pair[1]!.getRooms({ accessibleBy: WHO }),
      iterations,
    );
    console.log(
      `  ${name.padEnd(14)} ${subject.toFixed(1).padStart(7)} µs vs ${baseline.toFixed(1).padStart(7)} µs  ${ratio.toFixed(2)}x  (target ≤ 2x: ${ratio <= 2 ? "ok" : "OVER"})`,
    );
  }
} finally {
  for (const store of sqliteStores) await store.close();
  rmSync(dir, { recursive: true, force: true });
}
