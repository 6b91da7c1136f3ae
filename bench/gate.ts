/**
 * The cost of a realtime gate per connection: `WebSocketGate.accept` then
 * the socket's close (decision, held watch, presence enter and leave),
 * against the bare `watchRoomAccess` + `stop()` it is built on, in the same
 * run. The difference is what the gate adds per connection.
 *
 *   npx tsx bench/gate.ts
 */
import { EventEmitter } from "node:events";
import { Liveblocks, MemoryStore } from "../src/index.js";
import { WebSocketGate } from "../src/websocket/index.js";

const CYCLES = 5_000;
const ROUNDS = 7;

class MemorySocket extends EventEmitter {
  readyState = 1;
  close(): void {
    this.readyState = 3;
    this.emit("close");
  }
}

const liveblocks = new Liveblocks({ secret: "sk_bench_roomgate_0123456789", store: new MemoryStore() });
await liveblocks.createRoom("room", { defaultAccesses: ["room:write"] });
const token = (JSON.parse((await liveblocks.identifyUser("alice")).body) as { token: string }).token;
const gate = new WebSocketGate<MemorySocket>({ liveblocks });
const request = { url: `/room?token=${token}`, headers: {} };

async function bare(): Promise<void> {
  for (let i = 0; i < CYCLES; i++) (await liveblocks.watchRoomAccess(token, "room", () => {})).stop();
}

async function gated(): Promise<void> {
  for (let i = 0; i < CYCLES; i++) {
    const socket = new MemorySocket();
    await gate.accept(socket, request);
    socket.close();
  }
}

async function time(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return ((performance.now() - start) * 1000) / CYCLES; // µs per cycle
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = { bare: [] as number[], gated: [] as number[] };
await bare();
await gated();
for (let round = 0; round < ROUNDS; round++) {
  results.bare.push(await time(bare));
  results.gated.push(await time(gated));
}
const b = median(results.bare);
const g = median(results.gated);
console.log(`Node ${process.version}, ${CYCLES} cycles × ${ROUNDS} rounds (median)`);
console.log(`watchRoomAccess + stop          ${b.toFixed(1)} µs/connection`);
console.log(`WebSocketGate accept + close    ${g.toFixed(1)} µs/connection (×${(g / b).toFixed(2)})`);
if (gate.size !== 0 || liveblocks.presence.size.connections !== 0) throw new Error("the bench leaked connections");
