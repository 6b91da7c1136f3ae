/**
 * PostgresStore beside MemoryStore on 10k and 100k rooms: `getRooms({ userId })`
 * (page of 20, the user in ~1% of rooms), `getRoom` and `checkRoomAccess`
 * (HS256, a room with 100 users and 100 groups), also with `entryCache`.
 * One run; reports the median per-call latency and the 100k / 10k ratio per
 * store (target ≤ 1.5×), then the cache's staleness window: from a removal
 * committed on one instance to a denial on another.
 * Needs PostgreSQL at DATABASE_URL; uses a schema of its own and drops it.
 *
 *   npx tsx bench/postgres.ts
 */
import pg from "pg";
import { Liveblocks } from "../src/liveblocks/index.js";
import { PostgresStore } from "../src/postgres.js";
import { MemoryStore } from "../src/stores/memory/store.js";
import type { RoomData, RoomStore } from "../src/rooms/types.js";
import { TARGET_USER, makeRooms as makeBenchRooms } from "./rooms-data.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SECRET = "sk_bench_0123456789abcdefghijklmnopqrstuv";
const ITERATIONS = Number(process.env.ITERATIONS ?? 300);

/** The rooms of bench/rooms.bench.ts, plus one "big-room" with 100 users and 100 groups. */
function makeRooms(count: number): RoomData[] {
  const rooms = makeBenchRooms(count);
  const big = rooms[count >> 1] as RoomData;
  big.id = "big-room";
  big.usersAccesses = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`member-${i}`, ["room:read"]]));
  big.usersAccesses["alice"] = ["room:write"];
  big.groupsAccesses = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`team-${i}`, ["room:read"]]));
  return rooms;
}

/** Bulk-loads rooms in the store's row format (creating 100k rooms one by one takes minutes). */
async function load(schema: string, rooms: RoomData[]): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    for (let start = 0; start < rooms.length; start += 1000) {
      const batch = rooms.slice(start, start + 1000);
      await client.query(
        `INSERT INTO "${schema}".rooms (id, created_at, last_connection_at, organization_id, default_accesses,
                                        users_accesses, groups_accesses, metadata, doc)
         SELECT r->>'id', (r->>'createdAt')::bigint, NULL, r->>'organizationId', r->'defaultAccesses',
                r->'usersAccesses', r->'groupsAccesses', r->'metadata',
                json_build_object('defaultAccesses', r->'defaultAccesses', 'usersAccesses', r->'usersAccesses',
                                  'groupsAccesses', r->'groupsAccesses', 'metadata', r->'metadata')
           FROM json_array_elements($1::json) AS r`,
        [JSON.stringify(batch.map((room) => ({ ...room, createdAt: room.createdAt.getTime() })))],
      );
    }
    await client.query(`ANALYZE "${schema}".rooms`);
  } finally {
    await client.end();
  }
}

async function median(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1] as number;
}

type Setup = { name: string; size: number; liveblocks: Liveblocks; store: RoomStore };
const NAMES = ["MemoryStore", "PostgresStore", "PostgresStore, entryCache"];

const setups: Setup[] = [];
const schemas: string[] = [];
for (const size of [10_000, 100_000]) {
  const rooms = makeRooms(size);
  const memory = new MemoryStore();
  for (const room of rooms) await memory.create(room);
  setups.push({ name: "MemoryStore", size, store: memory, liveblocks: new Liveblocks({ secret: SECRET, store: memory }) });

  const schema = `roomgate_bench_${size}_${process.pid}`;
  schemas.push(schema);
  const postgres = new PostgresStore({ connectionString: DATABASE_URL, schema });
  await postgres.get("init");
  await load(schema, rooms);
  setups.push({ name: "PostgresStore", size, store: postgres, liveblocks: new Liveblocks({ secret: SECRET, store: postgres }) });
  const cached = new PostgresStore({ connectionString: DATABASE_URL, schema, entryCache: true });
  setups.push({ name: NAMES[2]!, size, store: cached, liveblocks: new Liveblocks({ secret: SECRET, store: cached }) });
}

const token = (
  JSON.parse((await setups[0]!.liveblocks.identifyUser({ userId: "alice", groupIds: ["team-3"] })).body) as {
    token: string;
  }
).token;

const results: Record<string, Record<string, number>> = {};
const operations: Record<string, (setup: Setup) => Promise<unknown>> = {
  "getRooms({ userId }), page of 20": (s) => s.liveblocks.getRooms({ userId: TARGET_USER, limit: 20 }),
  getRoom: (s) => s.liveblocks.getRoom("big-room"),
  "checkRoomAccess (HS256, 100 users + 100 groups)": async (s) => {
    const result = await s.liveblocks.checkRoomAccess(token, "big-room");
    if (!result.allowed) throw new Error(`bench: denied ${JSON.stringify(result)}`);
  },
};
for (const [operation, run] of Object.entries(operations)) {
  for (const setup of setups) {
    (results[operation] ??= {})[`${setup.name} ${setup.size / 1000}k`] = await median(() => run(setup));
  }
}

console.log(`median µs per call, ${ITERATIONS} calls after 50 warm-up`);
console.log("| operation | store | 10k rooms | 100k rooms | 100k / 10k |");
console.log("| --- | --- | --- | --- | --- |");
for (const [operation, byStore] of Object.entries(results)) {
  for (const name of NAMES) {
    const small = byStore[`${name} 10k`] as number;
    const large = byStore[`${name} 100k`] as number;
    console.log(`| ${operation} | ${name} | ${small.toFixed(1)} | ${large.toFixed(1)} | ${(large / small).toFixed(2)}× |`);
  }
}

// Staleness of the entry cache: instance A removes alice from a room, instance
// B (cached, warm) checks until it denies. Timed from A's commit resolving.
const schema = schemas[0]!;
const writer = new Liveblocks({ secret: SECRET, store: setups[1]!.store, limits: { accessesEntries: 500 } });
const cachedB = setups[2]!.liveblocks;
// Without groups: the big room's team-3 entry would keep alice in.
const aliceOnly = (JSON.parse((await setups[0]!.liveblocks.identifyUser({ userId: "alice" })).body) as { token: string }).token;
const windows: number[] = [];
for (let round = 0; round < 50; round++) {
  await writer.updateRoom("big-room", { usersAccesses: { alice: ["room:write"] } });
  // Warm: B allows from its cache (its own miss after the invalidation refills it).
  for (let i = 0; i < 5 || !(await cachedB.checkRoomAccess(aliceOnly, "big-room")).allowed; i++) {
    await cachedB.checkRoomAccess(aliceOnly, "big-room");
    await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.updateRoom("big-room", { usersAccesses: { alice: null } });
  const start = process.hrtime.bigint();
  while ((await cachedB.checkRoomAccess(aliceOnly, "big-room")).allowed) {
    // A cache hit resolves in microtasks only: yield so the socket carrying
    // the NOTIFY is read, as a server handling connections would.
    await new Promise((resolve) => setImmediate(resolve));
  }
  windows.push(Number(process.hrtime.bigint() - start) / 1000);
}
windows.sort((a, b) => a - b);
const pick = (q: number) => (windows[Math.min(windows.length - 1, Math.floor(q * windows.length))] as number).toFixed(0);
console.log(`entryCache staleness (removal committed on A → denial on B), ${windows.length} rounds, schema ${schema}:`);
console.log(`median ${pick(0.5)} µs, p90 ${pick(0.9)} µs, max ${pick(1)} µs`);

for (const setup of setups) await setup.store.close?.();
const admin = new pg.Client({ connectionString: DATABASE_URL });
await admin.connect();
for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
await admin.end();
