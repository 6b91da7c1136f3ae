/**
 * The outbox tables are schema migration 5 on SQLite and Postgres: a new
 * file or schema has them before any outbox call, and a version 4 one whose
 * outbox tables the earlier webhook code created itself keeps its
 * endpoints and deliveries and gains the retention indexes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/sqlite.js";
import { PostgresStore } from "../../src/postgres.js";
import { SCHEMA_VERSION as SQLITE_VERSION } from "../../src/stores/sqlite/schema.js";
import { SCHEMA_VERSION as POSTGRES_VERSION } from "../../src/stores/postgres/schema.js";
import type { WebhookOutbox } from "../../src/webhooks/outbox.js";
import { DATABASE_URL, admin, dropSchema, probePostgres, testSchema } from "../stores/postgres/helpers.js";

const unreachable = await probePostgres();
if (unreachable !== null) console.warn(`Skipping the PostgreSQL webhook migration test: ${unreachable}`);

const OUTBOX_TABLES = ["webhook_deliveries", "webhook_endpoints", "webhook_events"];
const RETENTION_INDEXES = ["webhook_deliveries_delivered", "webhook_deliveries_failed"];
const at = new Date(Date.UTC(2026, 0, 1));
const endpoint = {
  id: "ep_old",
  url: "https://hooks.example.com/in",
  events: null,
  secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0",
  previousSecret: null,
  previousSecretExpiresAt: null,
  createdAt: at,
  updatedAt: at,
};

/** An endpoint and one pending delivery, as the earlier code would have left them. */
async function seed(outbox: WebhookOutbox): Promise<void> {
  await outbox.createEndpoint(endpoint);
  await outbox.enqueue([{ type: "roomDeleted", orderKey: "r", data: { roomId: "r", deletedAt: at.toISOString() }, at }]);
  expect(await outbox.fanOut(at, 10, () => "d_old")).toBe(1);
}

describe("webhook outbox migration (sqlite)", () => {
  const dir = mkdtempSync(join(tmpdir(), "roomgate-wh-migration-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const names = (db: Database.Database, type: string) =>
    (
      db.prepare("SELECT name FROM sqlite_master WHERE type = ? AND name LIKE 'webhook%' ORDER BY name").pluck().all(type) as string[]
    ).sort();

  it("open - a new file has the outbox tables at version 5, before any outbox call", async () => {
    const filename = join(dir, "new.db");
    await new SqliteStore({ filename }).close();
    const db = new Database(filename);
    expect([db.prepare("SELECT version FROM roomgate_schema").pluck().get(), SQLITE_VERSION]).toEqual([5, 5]);
    expect(names(db, "table")).toEqual(OUTBOX_TABLES);
    expect(names(db, "index")).toEqual(expect.arrayContaining(RETENTION_INDEXES));
    db.close();
  });

  it("open - a version 4 file whose outbox tables the earlier code made keeps its deliveries and gains the retention indexes", async () => {
    const filename = join(dir, "v4.db");
    const first = new SqliteStore({ filename });
    await seed(first.webhookOutbox());
    await first.close();
    const db = new Database(filename);
    db.exec(`DROP INDEX ${RETENTION_INDEXES.join("; DROP INDEX ")}; UPDATE roomgate_schema SET version = 4`);
    db.close();
    const store = new SqliteStore({ filename });
    expect(await store.webhookOutbox().getEndpoint("ep_old")).toEqual(endpoint);
    expect((await store.webhookOutbox().getDelivery("d_old"))?.status).toBe("pending");
    await store.close();
    const check = new Database(filename);
    expect(check.prepare("SELECT version FROM roomgate_schema").pluck().get()).toBe(5);
    expect(names(check, "index")).toEqual(expect.arrayContaining(RETENTION_INDEXES));
    check.close();
  });
});

describe.skipIf(unreachable !== null)("webhook outbox migration (postgres)", () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });
  const names = async (schema: string, kind: "r" | "i") =>
    (
      await admin<{ relname: string }>(
        `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind = $2 AND c.relname LIKE 'webhook%' ORDER BY c.relname`,
        [schema, kind],
      )
    ).map((row) => row.relname);

  it("init - a version 4 schema whose outbox tables the earlier code made keeps its endpoints and gains the retention indexes", async () => {
    const schema = testSchema("wh_migration");
    schemas.push(schema);
    const first = new PostgresStore({ connectionString: DATABASE_URL, schema });
    await seed(first.webhookOutbox());
    await first.close();
    expect([(await admin(`SELECT version FROM "${schema}".schema_version`))[0]?.version, POSTGRES_VERSION]).toEqual([5, 5]);
    expect(await names(schema, "r")).toEqual(OUTBOX_TABLES);
    await admin(`DROP INDEX "${schema}".${RETENTION_INDEXES.join(`, "${schema}".`)}; UPDATE "${schema}".schema_version SET version = 4`);
    const store = new PostgresStore({ connectionString: DATABASE_URL, schema });
    try {
      expect(await store.webhookOutbox().getEndpoint("ep_old")).toEqual(endpoint);
      expect((await store.webhookOutbox().getDelivery("d_old"))?.status).toBe("pending");
      expect((await admin(`SELECT version FROM "${schema}".schema_version`))[0]?.version).toBe(5);
      expect(await names(schema, "i")).toEqual(expect.arrayContaining(RETENTION_INDEXES));
    } finally {
      await store.close();
    }
  });
});
