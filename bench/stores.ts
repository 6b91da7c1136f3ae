/**
 * SqliteStore beside MemoryStore through `Liveblocks`: `getRooms({ userId })`,
 * `getRoom` and `checkRoomAccess` (ES256 ID token) on 10k and 100k rooms.
 * Reports per-call latency, the 100k/10k ratio per store (target ≤ 1.5×) and
 * SQLite's `checkRoomAccess` against the memory store's (target ≤ 1.3×).
 * Store pairs run in alternating rounds (see bench/ratios.ts for why).
 *
 *   npx tsx bench/stores.ts
 *
 * The SQLite file is filled through its own connection in one transaction
 * (100k `create`s, each fsynced, would take minutes), then opened with
 * `SqliteStore` as an application would.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { KeyPairSigner, Liveblocks, MemoryStore, type RoomData } from "../src/index.js";
import { SqliteStore } from "../src/sqlite.js";
import { TARGET_USER, makeRooms } from "./rooms-data.js";

const SECRET = "sk_bench_0123456789abcdef0123456789abcdef";
const ROUNDS = 21;
const ITERATIONS = 200;

function fillSqlite(filename: string, rooms: RoomData[]): void {
  new SqliteStore({ filename }).close();
  const db = new Database(filename);
  const room = db.prepare("INSERT INTO rooms VALUES (?, ?, NULL, ?, ?)");
  const user = db.prepare("INSERT INTO room_users (room_id, user_id, scopes, created_at) VALUES (?, ?, ?, ?)");
  const group = db.prepare("INSERT INTO room_groups (room_id, group_id, scopes, created_at) VALUES (?, ?, ?, ?)");
  const meta = db.prepare("INSERT INTO room_metadata (room_id, key, position, value, is_array) VALUES (?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (const r of rooms) {
      room.run(r.id, r.createdAt.getTime(), r.organizationId, JSON.stringify(r.defaultAccesses));
      for (const [k, v] of Object.entries(r.usersAccesses)) user.run(r.id, k, JSON.stringify(v), r.createdAt.getTime());
      for (const [k, v] of Object.entries(r.groupsAccesses)) group.run(r.id, k, JSON.stringify(v), r.createdAt.getTime());
      for (const [k, v] of Object.entries(r.metadata)) {
        if (typeof v === "string") meta.run(r.id, k, 0, v, 0);
        else v.forEach((e, p) => meta.run(r.id, k, p, e, 1));
      }
    }
  })();
  db.pragma("optimize");
  db.close();
}

async function timeOf(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) await fn();
  return Number(process.hrtime.bigint() - start) / ITERATIONS / 1000;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;

const dir = mkdtempSync(join(tmpdir(), "roomgate-bench-"));
const signer = new KeyPairSigner({
  privateKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey,
  kid: "bench",
});
const results = new Map<string, number>();

type Subject = { name: string; count: number; liveblocks: Liveblocks; run: Record<string, () => Promise<unknown>> };
const subjects: Subject[] = [];
const sqliteStores: SqliteStore[] = [];
for (const count of [10_000, 100_000]) {
  const rooms = makeRooms(count);
  const memory = new MemoryStore();
  for (const room of rooms) await memory.create(room);
  const filename = join(dir, `${count}.db`);
  fillSqlite(filename, rooms);
  const sqlite = new SqliteStore({ filename });
  sqliteStores.push(sqlite);
  const target = rooms.find((room) => Object.hasOwn(room.usersAccesses, TARGET_USER))!;
  const middle = rooms[count >> 1]!.id;
  for (const [name, store] of [
    ["memory", memory],
    ["sqlite", sqlite],
  ] as const) {
    const liveblocks = new Liveblocks({ secret: SECRET, store, signer });
    const { body } = await liveblocks.identifyUser({ userId: TARGET_USER, groupIds: ["group-1"] });
    const token = (JSON.parse(body) as { token: string }).token;
    subjects.push({
      name,
      count,
      liveblocks,
      run: {
        "getRooms({ userId })": () => liveblocks.getRooms({ userId: TARGET_USER, limit: 20 }),
        getRoom: () => liveblocks.getRoom(middle),
        checkRoomAccess: async () => {
          const access = await liveblocks.checkRoomAccess(token, target.id);
          if (!access.allowed) throw new Error("bench: access denied");
        },
      },
    });
  }
}
// Every (store, size) pair of an operation in alternating rounds, after a warm-up.
for (const operation of ["getRooms({ userId })", "getRoom", "checkRoomAccess"]) {
  const times = new Map<Subject, number[]>(subjects.map((subject) => [subject, []]));
  for (const subject of subjects) await timeOf(subject.run[operation]!);
  for (let round = 0; round < ROUNDS; round++) {
    for (const subject of subjects) times.get(subject)!.push(await timeOf(subject.run[operation]!));
  }
  for (const subject of subjects) {
    results.set(`${operation} ${subject.name} ${subject.count}`, median(times.get(subject)!));
  }
}
for (const store of sqliteStores) await store.close();
rmSync(dir, { recursive: true, force: true });

console.log(`${"operation".padEnd(22)} ${"store".padEnd(7)} ${"10k µs".padStart(8)} ${"100k µs".padStart(8)}  100k/10k`);
for (const operation of ["getRooms({ userId })", "getRoom", "checkRoomAccess"]) {
  for (const name of ["memory", "sqlite"]) {
    const small = results.get(`${operation} ${name} 10000`)!;
    const large = results.get(`${operation} ${name} 100000`)!;
    const ratio = large / small;
    console.log(
      `${operation.padEnd(22)} ${name.padEnd(7)} ${small.toFixed(1).padStart(8)} ${large.toFixed(1).padStart(8)}  ${ratio.toFixed(2)}x (target 1.5x: ${ratio <= 1.5 ? "ok" : "OVER"})`,
    );
  }
}
for (const count of [10_000, 100_000]) {
  const ratio = results.get(`checkRoomAccess sqlite ${count}`)! / results.get(`checkRoomAccess memory ${count}`)!;
  console.log(`checkRoomAccess sqlite/memory at ${count}: ${ratio.toFixed(2)}x (target 1.3x: ${ratio <= 1.3 ? "ok" : "OVER"})`);
}
