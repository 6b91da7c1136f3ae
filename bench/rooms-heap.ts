/**
 * Heap per room of a MemoryStore at 100k rooms (5 users, 2 groups, 2
 * metadata keys each), against the same stored objects (the deep copies a
 * store keeps) in a plain `Map` by id. The input rooms stay alive during both
 * measurements, so each delta is what the structure itself adds.
 * Target (issue 12): ≤ 1.15× the plain Map.
 *
 *   node --expose-gc --import tsx bench/rooms-heap.ts
 */
import { MemoryStore } from "../src/stores/memory/store.js";
import { cloneRoom } from "../src/rooms/patch.js";
import type { RoomData } from "../src/rooms/types.js";
import { makeIssueRooms } from "./rooms-data.js";

const COUNT = 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");

function heapAfterGc(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed;
}

const rooms = makeIssueRooms(COUNT);

const before = heapAfterGc();
const map = new Map<string, RoomData>();
for (const room of rooms) map.set(room.id, Object.freeze(cloneRoom(room)));
const mapBytes = heapAfterGc() - before;
if (map.size !== COUNT) throw new Error("map: wrong size");
map.clear();

const start = heapAfterGc();
const store = new MemoryStore();
for (const room of rooms) await store.create(room);
const storeBytes = heapAfterGc() - start;
// Check: the store holds every room, equal to its input.
for (const i of [0, COUNT >> 1, COUNT - 1]) {
  const got = await store.get(rooms[i]!.id);
  if (JSON.stringify(got) !== JSON.stringify(rooms[i])) throw new Error(`store: room ${i} differs`);
}
if ((await store.list({ filter: {}, limit: 1 })).rooms[0]?.id !== `room-${COUNT - 1}`) throw new Error("store: wrong newest room");

const ratio = storeBytes / mapBytes;
console.log(
  `heap per room at ${COUNT / 1000}k rooms: MemoryStore ${(storeBytes / COUNT).toFixed(0)} B vs plain Map ${(mapBytes / COUNT).toFixed(0)} B  ` +
    `${ratio.toFixed(2)}x  (target ≤ 1.15x: ${ratio <= 1.15 ? "ok" : "OVER"})`,
);
