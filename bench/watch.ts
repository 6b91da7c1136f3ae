/**
 * `watchRoomAccess` at a realtime server's scale: 10,000 watches (ID tokens)
 * on one room, then one `updateRoom` that flips every one of them between
 * read-only and write. Reports the time of that update with the watches,
 * against the same update with none (the store's own cost), so the
 * difference is the pure re-decision: `resolveAccess` per watch plus its
 * `onChange`, with no token verification and no store read.
 *
 *   npx tsx bench/watch.ts
 *
 * MemoryStore delivers events synchronously, so `await updateRoom` returns
 * after every watch has re-decided.
 */
import { Liveblocks, MemoryStore } from "../src/index.js";

const WATCHES = 10_000;
const ROUNDS = 50;

const SECRET = "sk_bench_roomgate_0123456789";
const READ = ["room:read", "room:presence:write"] as const;
const WRITE = ["room:write"] as const;

async function timeUpdates(liveblocks: Liveblocks, roomId: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await liveblocks.updateRoom(roomId, { usersAccesses: { alice: i % 2 === 0 ? [...READ] : [...WRITE] } });
    times.push(performance.now() - start);
  }
  return times;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
await liveblocks.createRoom("watched", { defaultAccesses: [], usersAccesses: { alice: [...WRITE] } });
await liveblocks.createRoom("bare", { defaultAccesses: [], usersAccesses: { alice: [...WRITE] } });
const token = JSON.parse((await liveblocks.identifyUser({ userId: "alice", groupIds: ["eng"] })).body).token as string;

let changes = 0;
const watches = [];
for (let i = 0; i < WATCHES; i++) {
  watches.push(await liveblocks.watchRoomAccess(token, "watched", () => changes++));
}

// Warm-up, then alternate so both see the same heap and JIT state.
await timeUpdates(liveblocks, "bare");
await timeUpdates(liveblocks, "watched");
changes = 0;
const bare = await timeUpdates(liveblocks, "bare");
const watched = await timeUpdates(liveblocks, "watched");
if (changes !== WATCHES * ROUNDS) throw new Error(`expected ${WATCHES * ROUNDS} onChange calls, got ${changes}`);

const m = median(watched) - median(bare);
console.log(`updateRoom, no watches:            median ${median(bare).toFixed(3)} ms`);
console.log(`updateRoom, ${WATCHES} watches on the room: median ${median(watched).toFixed(3)} ms`);
console.log(`re-decision of ${WATCHES} watches: ${m.toFixed(3)} ms (${((m * 1000) / WATCHES).toFixed(3)} µs each)`);
for (const watch of watches) watch.stop();
