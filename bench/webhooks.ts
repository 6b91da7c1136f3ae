/**
 * Webhooks (issue 24): what the outbox adds to a write, and how fast the
 * engine delivers.
 *
 * 1. `createRoom` / `updateRoom` with an endpoint (the outbox row written in
 *    the write's transaction) against the same call on a store without
 *    webhooks, interleaved rounds, median of per-round ratios. Targets:
 *    ≤ 1.3× on SQLite `updateRoom`, ≤ 1.2× on Postgres.
 * 2. Deliveries per second to a loopback receiver: one engine on SQLite, one
 *    on Postgres, two on Postgres (two pools, as two instances). Target
 *    ≥ 1,000/s from one instance. Every delivery is checked: each
 *    webhook-id arrives once and the count is exact.
 *
 *   npx tsx bench/webhooks.ts      (Postgres parts need DATABASE_URL)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { Liveblocks } from "../src/liveblocks/index.js";
import { PostgresStore } from "../src/postgres.js";
import { SqliteStore } from "../src/sqlite.js";
import type { RoomStore } from "../src/rooms/types.js";
import { WebhookDispatcher, createNodeTransport } from "../src/webhooks.js";
import { compare } from "./interleave.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SECRET = "sk_bench_0123456789abcdefghijklmnopqrstuv";
const DELIVERIES = Number(process.env.DELIVERIES ?? 3000);

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

type Opened = { store: RoomStore; close(): Promise<void> };
const cleanups: (() => Promise<void>)[] = [];

function sqlite(name: string): Opened {
  const dir = mkdtempSync(join(tmpdir(), "roomgate-bench-wh-"));
  const store = new SqliteStore({ filename: join(dir, `${name}.db`) });
  const close = async () => (await store.close(), rmSync(dir, { recursive: true, force: true }));
  cleanups.push(close);
  return { store, close };
}

function postgres(name: string): Opened {
  const schema = `roomgate_bench_wh_${name}_${process.pid}`;
  const store = new PostgresStore({ connectionString: DATABASE_URL, schema });
  const close = async () => (await store.close(), await dropSchema(schema));
  cleanups.push(close);
  return { store, close };
}

/** A receiver that answers 204 and counts each webhook-id. */
async function receiver(): Promise<{ url: string; ids: Map<string, number>; server: Server }> {
  const ids = new Map<string, number>();
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const id = String(req.headers["webhook-id"]);
      ids.set(id, (ids.get(id) ?? 0) + 1);
      res.statusCode = 204;
      res.end();
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, ids, server };
}

async function writeCost(kind: string, open: (name: string) => Opened, iterations: number): Promise<void> {
  const plain = new Liveblocks({ secret: SECRET, store: open("plain").store });
  const hooked = new Liveblocks({ secret: SECRET, store: open("hooked").store, webhooks: {} });
  await hooked.createWebhookEndpoint({ url: "https://hooks.example.com/in", events: ["roomCreated", "roomUpdated"] });
  for (const lb of [plain, hooked]) await lb.createRoom("bench-room", { defaultAccesses: [], metadata: { n: "0" } });
  let n = 0;
  let created = 0;
  const update = (lb: Liveblocks) => () => lb.updateRoom("bench-room", { metadata: { n: String(++n) } });
  const create = (lb: Liveblocks) => () => lb.createRoom(`room-${++created}`, { defaultAccesses: [] });
  const u = await compare(update(plain), update(hooked), iterations);
  const c = await compare(create(plain), create(hooked), iterations);
  console.log(
    `${kind.padEnd(9)} updateRoom ${u.baseline.toFixed(0).padStart(5)} µs → ${u.subject.toFixed(0).padStart(5)} µs with an endpoint: ${u.ratio.toFixed(2)}×   ` +
      `createRoom ${c.baseline.toFixed(0).padStart(5)} µs → ${c.subject.toFixed(0).padStart(5)} µs: ${c.ratio.toFixed(2)}×`,
  );
}

async function throughput(label: string, open: () => Opened[]): Promise<void> {
  const target = await receiver();
  const opened = open();
  const instances = opened.map((o) => new Liveblocks({ secret: SECRET, store: o.store, webhooks: {} }));
  const first = instances[0]!;
  await first.createWebhookEndpoint({ url: target.url, events: ["roomUpdated"] });
  await first.createRoom("seed", { defaultAccesses: [] });
  // The events, written through the real write path: 1,000 rooms, each updated in turn
  // (a room's events go one at a time, in order, so a round carries one per room).
  const outbox = first.webhookOutbox!;
  const rooms = 1000;
  for (let r = 0; r < rooms; r++) await first.createRoom(`r-${r}`, { defaultAccesses: [] });
  for (let i = 0; i < DELIVERIES; i++) await first.updateRoom(`r-${i % rooms}`, { metadata: { n: String(i) } });
  await outbox.fanOut(
    new Date(),
    DELIVERIES + 1000,
    () => `msg_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
  );
  const transports = instances.map(() => createNodeTransport({ maxSockets: 64 }));
  const engines = instances.map(
    (lb, i) =>
      new WebhookDispatcher({
        outbox: lb.webhookOutbox!,
        projectId: lb.projectId,
        transport: transports[i]!,
        batchSize: 256,
        owner: `e${i}`,
      }),
  );
  const start = process.hrtime.bigint();
  await Promise.all(
    engines.map(async (engine) => {
      for (let round = 0; round < 10_000 && target.ids.size < DELIVERIES; round++)
        if ((await engine.runOnce()) === 0) await new Promise((r) => setTimeout(r, 2));
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const twice = [...target.ids.values()].filter((count) => count > 1).length;
  if (target.ids.size !== DELIVERIES || twice > 0) throw new Error(`${label}: ${target.ids.size} ids delivered, ${twice} twice`);
  console.log(
    `${label.padEnd(34)} ${String(DELIVERIES).padStart(5)} deliveries in ${seconds.toFixed(2)} s: ${(DELIVERIES / seconds).toFixed(0).padStart(5)}/s (each id once)`,
  );
  for (const t of transports) t.close();
  target.server.closeAllConnections();
  target.server.close();
  for (const o of opened) await o.close();
}

async function main(): Promise<void> {
  const pgUp = await postgresReachable();
  console.log(
    `webhooks bench, Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}${pgUp ? "" : " (PostgreSQL unreachable: its rows skipped)"}`,
  );
  console.log("\nOutbox write cost (interleaved, median of per-round ratios; targets: SQLite updateRoom ≤ 1.3×, Postgres ≤ 1.2×)");
  await writeCost("SQLite", sqlite, 100);
  if (pgUp) await writeCost("Postgres", postgres, 100);
  console.log("\nDelivery throughput to a loopback receiver (target ≥ 1,000/s from one instance)");
  await throughput("SQLite, one instance", () => [sqlite("tp")]);
  if (pgUp) {
    await throughput("Postgres, one instance", () => [postgres("tp1")]);
    await throughput("Postgres, two instances (2 pools)", () => {
      const schema = `roomgate_bench_wh_tp2_${process.pid}`;
      const stores = [0, 1].map(() => new PostgresStore({ connectionString: DATABASE_URL, schema }));
      return stores.map((store, i) => ({
        store,
        close: async () => (await store.close(), i === 1 ? await dropSchema(schema) : undefined),
      }));
    });
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const close of cleanups.splice(0)) await close().catch(() => undefined);
  });
