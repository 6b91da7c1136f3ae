/**
 * What the audit trail adds to a write (issue 25 item 3): `updateRoom`
 * through the facade on a SqliteStore and a PostgresStore with the audit
 * trail on (default: every entry kept; and with a retention, which prunes
 * in the same transaction) against the same call on a store with
 * `audit: false`, in interleaved rounds (median of per-round ratios;
 * target ≤ 1.2×). Every call changes the room, so every call journals.
 * Each side is checked first: the audited store holds exactly one entry
 * per call, the other none.
 * Postgres needs DATABASE_URL (skipped otherwise); uses schemas of its own and drops them.
 *
 *   npx tsx bench/audit.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { Liveblocks } from "../src/liveblocks/index.js";
import { PostgresStore } from "../src/postgres.js";
import { SqliteStore } from "../src/sqlite.js";
import type { AuditOption } from "../src/rooms/audit.js";
import type { RoomStore } from "../src/rooms/types.js";
import { compare, ROUNDS } from "./interleave.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SECRET = "sk_bench_0123456789abcdefghijklmnopqrstuv";
const ITERATIONS = Number(process.env.ITERATIONS ?? 20);

/** A facade over `store` with one room, and the write under test: each call sets a new metadata value. */
async function subject(store: RoomStore): Promise<{ liveblocks: Liveblocks; update: () => Promise<unknown> }> {
  const liveblocks = new Liveblocks({ secret: SECRET, store });
  await liveblocks.createRoom("bench-room", {
    defaultAccesses: [],
    usersAccesses: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`user-${i}`, ["room:write"]])),
    metadata: { status: "open" },
  });
  let n = 0;
  return { liveblocks, update: () => liveblocks.updateRoom("bench-room", { metadata: { n: String(++n) } }, { actor: "bench" }) };
}

/** Checks the audited side journals one entry per call and the other none. */
async function check(on: Liveblocks, off: Liveblocks, updateOn: () => Promise<unknown>, updateOff: () => Promise<unknown>) {
  const before = (await on.getAuditLog({ roomId: "bench-room", limit: 100 })).data.length;
  for (let i = 0; i < 3; i++) {
    await updateOn();
    await updateOff();
  }
  const after = await on.getAuditLog({ roomId: "bench-room", limit: 100 });
  if (after.data.length !== before + 3 || after.data[0]?.actor !== "bench" || after.data[0].type !== "roomUpdated") {
    throw new Error("the audited store did not journal one entry per call");
  }
  if ((await off.getAuditLog({ limit: 10 })).data.length !== 0) throw new Error("the store with audit: false journaled");
}

function row(label: string, result: { ratio: number; subject: number; baseline: number }): string {
  const verdict = result.ratio <= 1.2 ? "ok" : "OVER 1.2×";
  return `${label.padEnd(44)} ${result.baseline.toFixed(0).padStart(7)} µs ${result.subject.toFixed(0).padStart(7)} µs   ${result.ratio.toFixed(3)}×  ${verdict}`;
}

async function bench(label: string, make: (audit: AuditOption) => RoomStore, audit: AuditOption): Promise<string> {
  const onStore = make(audit);
  const offStore = make(false);
  try {
    const on = await subject(onStore);
    const off = await subject(offStore);
    await check(on.liveblocks, off.liveblocks, on.update, off.update);
    return row(label, await compare(off.update, on.update, ITERATIONS));
  } finally {
    await onStore.close?.();
    await offStore.close?.();
  }
}

const lines: string[] = [];
const dir = mkdtempSync(join(tmpdir(), "roomgate-audit-bench-"));
let files = 0;
try {
  const sqlite = (audit: AuditOption) => new SqliteStore({ filename: join(dir, `${files++}.db`), audit });
  lines.push(await bench("SQLite updateRoom, audit (keep all)", sqlite, true));
  lines.push(await bench("SQLite updateRoom, audit (maxEntries 1000)", sqlite, { maxEntries: 1000 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const probe = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
const reachable = await probe.connect().then(
  () => true,
  () => false,
);
await probe.end().catch(() => undefined);
if (!reachable) {
  lines.push(`Postgres: skipped (not reachable at ${DATABASE_URL})`);
} else {
  const schemas: string[] = [];
  const postgres = (audit: AuditOption) => {
    const schema = `roomgate_bench_audit_${process.pid}_${schemas.length}`;
    schemas.push(schema);
    return new PostgresStore({ connectionString: DATABASE_URL, schema, audit });
  };
  try {
    lines.push(await bench("Postgres updateRoom, audit (keep all)", postgres, true));
    lines.push(await bench("Postgres updateRoom, audit (maxEntries 1000)", postgres, { maxEntries: 1000 }));
  } finally {
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

console.log(`audit trail: updateRoom with the audit trail vs audit: false (${ROUNDS} interleaved rounds × ${ITERATIONS} calls, medians)`);
console.log(`${"".padEnd(44)} ${"off".padStart(10)} ${"on".padStart(10)}   ratio`);
for (const line of lines) console.log(line);
console.log(`Node ${process.version}, ${process.platform}/${process.arch}`);
