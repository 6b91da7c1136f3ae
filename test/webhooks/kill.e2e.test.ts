/**
 * An instance killed (SIGKILL) in the middle of deliveries loses nothing:
 * its leases expire and another instance (or the restart) delivers what it
 * held, with the same webhook-id, in order per room.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Liveblocks, type RoomStore } from "../../src/index.js";
import { PostgresStore } from "../../src/postgres.js";
import { SqliteStore } from "../../src/sqlite.js";
import { startWebhookDelivery } from "../../src/webhooks.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../stores/postgres/helpers.js";
import { type Receiver, startReceiver } from "./receiver.js";

const WORKER = fileURLToPath(new URL("./kill-worker.ts", import.meta.url));
const SECRET = "sk_test_roomgate_0123456789";
const unreachable = await probePostgres();
if (unreachable !== null) console.warn(`Skipping the PostgreSQL SIGKILL webhook test: ${unreachable}`);

const kinds: [string, () => { where: string; store: RoomStore; cleanup(): Promise<void> }][] = [
  [
    "sqlite",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "roomgate-kill-"));
      const where = join(dir, "rooms.db");
      const store = new SqliteStore({ filename: where });
      return { where, store, cleanup: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
];
if (unreachable === null) {
  kinds.push([
    "postgres",
    () => {
      const where = testSchema("wh_kill");
      const store = new PostgresStore({ connectionString: DATABASE_URL, schema: where });
      return { where, store, cleanup: async () => (await store.close(), await dropSchema(where)) };
    },
  ]);
}

describe.each(kinds)("webhook delivery survives SIGKILL (%s)", (kind, make) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("deliver - what a killed instance held is delivered by the next one: every event, same webhook-id, in order per room", async () => {
    const made = make();
    cleanups.push(made.cleanup);
    const receiver: Receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    let hold = true;
    // While held, requests hang: the child dies with deliveries in flight.
    receiver.respond = () => (hold ? new Promise<number>(() => undefined) : 204);

    const liveblocks = new Liveblocks({ secret: SECRET, store: made.store, webhooks: {} });
    const { id: endpointId } = await liveblocks.createWebhookEndpoint({ url: receiver.url });
    const rooms = Array.from({ length: 10 }, (_, i) => `room-${i}`);
    for (const room of rooms) await liveblocks.createRoom(room, { defaultAccesses: [] });
    for (const room of rooms) await liveblocks.deleteRoom(room);

    const child = spawn(process.execPath, ["--import", "tsx", WORKER, kind, made.where, DATABASE_URL], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    });
    await receiver.waitFor((received) => received.length >= 5, 20_000);
    const inFlight = receiver.received.map((r) => String(r.headers["webhook-id"]));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    hold = false;

    const restart = startWebhookDelivery(liveblocks, { leaseMs: 1_500, pollMs: 20 });
    try {
      for (let i = 0; i < 400; i++) {
        const { data } = await liveblocks.getWebhookDeliveries({ endpointId, status: "delivered", limit: 100 });
        if (data.length === 20) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await restart.stop();
    }
    const { data: delivered } = await liveblocks.getWebhookDeliveries({ endpointId, status: "delivered", limit: 100 });
    expect(delivered).toHaveLength(20);
    const accepted = receiver.received.filter((r) => r.status === 204);
    const acceptedIds = accepted.map((r) => String(r.headers["webhook-id"]));
    // Every delivery was answered 204 once; what the child held was sent again with the same id.
    expect(new Set(acceptedIds)).toEqual(new Set(delivered.map((d) => d.id)));
    expect(acceptedIds).toHaveLength(20);
    for (const id of inFlight) expect(acceptedIds).toContain(id);
    for (const room of rooms) {
      const types = accepted
        .map((r) => JSON.parse(r.body))
        .filter((e) => e.data.roomId === room)
        .map((e) => e.type);
      expect(types).toEqual(["roomCreated", "roomDeleted"]);
    }
  });
});
