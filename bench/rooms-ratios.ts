/**
 * The room read path at 1k / 10k / 100k rooms, through the `Liveblocks`
 * facade on a MemoryStore (issue 12). Every result is first CHECKED against
 * a naive scan of the same rooms (same page, same order, same cursor walk),
 * so a fast wrong answer cannot pass. Comparisons between sizes run in
 * interleaved rounds (one round of each size in turn) and report the median
 * of the per-round ratios, so a noisy machine slows both sides alike.
 *
 *   npx tsx bench/rooms-ratios.ts
 */
import { isDeepStrictEqual } from "node:util";
import { Liveblocks } from "../src/liveblocks/index.js";
import type { RoomPermission } from "../src/permissions/scopes.js";
import { MemoryStore } from "../src/stores/memory/store.js";
import { compareSortKeys } from "../src/rooms/order.js";
import type { RoomData } from "../src/rooms/types.js";
import { makeIssueRooms as makeRooms, random } from "./rooms-data.js";

const SECRET = "sk_bench_0123456789abcdef0123456789abcdef";
const ROUNDS = 31;

type Fixture = { count: number; liveblocks: Liveblocks; rooms: RoomData[] };

async function fixture(count: number): Promise<Fixture> {
  const rooms = makeRooms(count);
  const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
  for (const room of rooms) {
    await liveblocks.createRoom(room.id, {
      defaultAccesses: [],
      usersAccesses: room.usersAccesses as Record<string, ["room:write"]>,
      groupsAccesses: room.groupsAccesses as Record<string, ["room:read"]>,
      metadata: room.metadata,
    });
  }
  // The facade stamps createdAt itself; read the real rooms back for the scan model.
  const stored: RoomData[] = [];
  for (let page = await liveblocks.getRooms({ limit: 100 }); ;) {
    stored.push(...page.data);
    if (page.nextCursor === null) break;
    page = await liveblocks.getRooms({ limit: 100, startingAfter: page.nextCursor });
  }
  if (stored.length !== count) throw new Error(`fixture: ${stored.length} rooms listed, ${count} created`);
  return { count, liveblocks, rooms: stored };
}

type Params = Parameters<Liveblocks["getRooms"]>[0] & {};

/** The naive scan: every room tested, newest first, all pages. */
function scan(rooms: readonly RoomData[], params: Params): string[] {
  const prefix = typeof params.query === "string" ? /^roomId\^"(.*)"$/.exec(params.query)?.[1] : undefined;
  return rooms
    .filter((room) => {
      if (prefix !== undefined && !room.id.startsWith(prefix)) return false;
      if (params.userId !== undefined || params.groupIds !== undefined) {
        const byUser = params.userId !== undefined && Object.hasOwn(room.usersAccesses, params.userId);
        if (!byUser && !(params.groupIds ?? []).some((g) => Object.hasOwn(room.groupsAccesses, g))) return false;
      }
      return Object.entries(params.metadata ?? {}).every(([k, v]) => room.metadata[k] === v);
    })
    .sort((a, b) => compareSortKeys({ ms: b.createdAt.getTime(), id: b.id }, { ms: a.createdAt.getTime(), id: a.id }))
    .map((room) => room.id);
}

/** Checks the first page and the whole cursor walk against the scan; returns the number of matches. */
async function check(f: Fixture, params: Params): Promise<number> {
  const expected = scan(f.rooms, params);
  const got: string[] = [];
  const first = await f.liveblocks.getRooms(params);
  for (let page = first; ;) {
    got.push(...page.data.map((room) => room.id));
    if (page.nextCursor === null) break;
    page = await f.liveblocks.getRooms({ ...params, startingAfter: page.nextCursor });
  }
  if (!isDeepStrictEqual(got, expected)) throw new Error(`${f.count} rooms, ${JSON.stringify(params)}: pages differ from the scan`);
  for (const room of first.data) {
    const model = f.rooms.find((r) => r.id === room.id);
    if (!isDeepStrictEqual(room, model)) throw new Error(`${f.count} rooms: room ${room.id} differs from the stored one`);
  }
  return expected.length;
}

async function timeOf(fn: () => unknown, iterations: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  return Number(process.hrtime.bigint() - start) / iterations / 1000;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const line = (name: string, value: string, verdict: string) => console.log(`${name.padEnd(66)} ${value.padEnd(34)} ${verdict}`);

/**
 * Absolute time against a target in µs (median of rounds), beside the floor:
 * the least work that builds the same result (`floor` runs in the same rounds).
 */
async function absolute(name: string, targetUs: number, fn: () => unknown, iterations: number, floor: () => unknown) {
  await timeOf(fn, iterations * 3);
  await timeOf(floor, iterations * 3);
  const times: number[] = [];
  const floors: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    times.push(await timeOf(fn, iterations));
    floors.push(await timeOf(floor, iterations));
  }
  const t = median(times);
  line(name, `${t.toFixed(2)} µs (floor ${median(floors).toFixed(2)} µs)`, `target ≤ ${targetUs} µs: ${t <= targetUs ? "ok" : "OVER"}`);
}

/**
 * What V8 must do for any copy of `rooms` in the shape the SDK returns
 * (parsed JSON): per room a fresh object, `Date` and lists, and per access or
 * metadata map a dictionary-mode object with `Object.prototype` (no
 * hidden-class tree per distinct id set) holding every id, from key and value
 * lists already at hand, so no `Object.keys` and no lookups. A store's copy
 * cannot cost less than this.
 */
function floorCopy(rooms: readonly RoomData[]): () => unknown[] {
  const listed = rooms.map((room) => ({
    room,
    maps: [room.usersAccesses, room.groupsAccesses, room.metadata].map((map) => {
      const keys = Object.keys(map);
      return { keys, values: keys.map((key) => map[key] as string | string[]) };
    }),
  }));
  const build = ({ keys, values }: { keys: string[]; values: (string | string[])[] }) => {
    const map: Record<string, string | string[]> = Object.create(null);
    for (let i = 0; i < keys.length; i++) {
      const value = values[i] as string | string[];
      map[keys[i] as string] = typeof value === "string" ? value : [...value];
    }
    return Object.setPrototypeOf(map, Object.prototype) as Record<string, string[]>;
  };
  return () =>
    listed.map(({ room, maps }) => ({
      type: "room" as const,
      id: room.id,
      createdAt: new Date(room.createdAt.getTime()),
      organizationId: room.organizationId,
      defaultAccesses: [...room.defaultAccesses],
      usersAccesses: build(maps[0]!),
      groupsAccesses: build(maps[1]!),
      metadata: build(maps[2]!),
    }));
}

/** `large` against `small` in interleaved rounds; the median per-round ratio against a target. */
async function scaling(name: string, target: number, small: () => unknown, large: () => unknown, iterations: number) {
  await timeOf(small, iterations * 3);
  await timeOf(large, iterations * 3);
  const ratios: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const s = await timeOf(small, iterations);
    const l = await timeOf(large, iterations);
    a.push(s);
    b.push(l);
    ratios.push(l / s);
  }
  const r = median(ratios);
  line(
    name,
    `${median(b).toFixed(2)} µs vs ${median(a).toFixed(2)} µs  ${r.toFixed(2)}x`,
    `target ≤ ${target}x: ${r <= target ? "ok" : "OVER"}`,
  );
}

console.log(`Node ${process.version}, ${process.platform}/${process.arch}; filling 1k, 10k and 100k rooms…`);
const k1 = await fixture(1_000);
const k10 = await fixture(10_000);
const k100 = await fixture(100_000);

// getRoom of a room with 100 users and 100 groups.
const bigAccesses = (prefix: string, scopes: RoomPermission) =>
  Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`${prefix}-${i}`, scopes]));
const big = await k100.liveblocks.createRoom("big-room", {
  defaultAccesses: [],
  usersAccesses: bigAccesses("member", ["room:write"]) as Record<string, ["room:write"]>,
  groupsAccesses: bigAccesses("team", ["room:read"]) as Record<string, ["room:read"]>,
  metadata: { status: "open" },
});
if (!isDeepStrictEqual(await k100.liveblocks.getRoom("big-room"), big)) throw new Error("getRoom differs from the created room");
await absolute("getRoom, 100 users + 100 groups (100k rooms)", 10, () => k100.liveblocks.getRoom("big-room"), 2000, floorCopy([big]));
await k100.liveblocks.deleteRoom("big-room");

const pages: [string, Params][] = [
  ["userId", { userId: "user-target" }],
  ["groupIds", { groupIds: ["group-target", "group-1"] }],
  ["metadata", { metadata: { status: "open" } }],
];
for (const [name, params] of pages) {
  for (const f of [k10, k100]) if ((await check(f, params)) < 21) throw new Error(`${name}: fewer than a page of matches`);
  const page = (await k100.liveblocks.getRooms(params)).data;
  await absolute(`getRooms page of 20 by ${name}, 100k rooms`, 25, () => k100.liveblocks.getRooms(params), 500, floorCopy(page));
}

const prefix: Params = { query: 'roomId^"special:"' };
for (const f of [k10, k100]) if ((await check(f, prefix)) !== 10) throw new Error("prefix: expected 10 matches");
await scaling(
  'getRooms roomId^"special:" (10 matches), 100k vs 10k rooms',
  2,
  () => k10.liveblocks.getRooms(prefix),
  () => k100.liveblocks.getRooms(prefix),
  500,
);

const overlap: Params = { userId: "user-overlap", metadata: { kind: "rare" } };
for (const f of [k10, k100]) if ((await check(f, overlap)) !== 5) throw new Error("overlap: expected 5 matches");
await scaling(
  "getRooms userId AND metadata (5 of ~1% x ~1%), 100k vs 10k rooms",
  3,
  () => k10.liveblocks.getRooms(overlap),
  () => k100.liveblocks.getRooms(overlap),
  200,
);

/** Deletes `batch` rooms per call (timed) and recreates them between rounds (not timed). */
function deleter(f: Fixture, batch: number) {
  const next = random(7);
  let victims: RoomData[] = [];
  const refill = async () => {
    for (const room of victims) {
      await f.liveblocks.createRoom(room.id, {
        defaultAccesses: [],
        usersAccesses: room.usersAccesses as Record<string, ["room:write"]>,
        groupsAccesses: room.groupsAccesses as Record<string, ["room:read"]>,
        metadata: room.metadata,
      });
    }
    victims = Array.from({ length: batch }, () => f.rooms[Math.floor(next() * f.rooms.length)]!).filter(
      (r, i, all) => all.indexOf(r) === i,
    );
  };
  return { refill, run: async () => Promise.all(victims.map((room) => f.liveblocks.deleteRoom(room.id))) };
}
{
  // Check: a deleted room is gone from getRoom and from its listings.
  const victim = k100.rooms[500]!;
  await k100.liveblocks.deleteRoom(victim.id);
  const user = Object.keys(victim.usersAccesses)[0]!;
  const listed = await k100.liveblocks.getRooms({ userId: user, limit: 100 });
  if (listed.data.some((room) => room.id === victim.id)) throw new Error("deleteRoom: still listed");
  if (
    !(await k100.liveblocks.getRoom(victim.id).then(
      () => false,
      () => true,
    ))
  )
    throw new Error("deleteRoom: still found");
  k100.rooms.splice(500, 1);
}
const small = deleter(k1, 100);
const large = deleter(k100, 100);
const ratios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  await small.refill();
  await large.refill();
  const s = await timeOf(small.run, 1);
  const l = await timeOf(large.run, 1);
  ratios.push(l / s);
}
const r = median(ratios);
line("deleteRoom, 100k vs 1k rooms (100 deletes per round)", `${r.toFixed(2)}x`, `target ≤ 2x: ${r <= 2 ? "ok" : "OVER"}`);
