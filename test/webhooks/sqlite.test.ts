import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteWebhookOutbox } from "../../src/stores/sqlite/outbox.js";
import { prepareDatabase } from "../../src/stores/sqlite/schema.js";
import { describeDelivery } from "./delivery-cases.js";
import { describeRetention } from "./retention-cases.js";

const harness = async () => {
  const dir = mkdtempSync(join(tmpdir(), "roomgate-webhooks-"));
  const db = new Database(join(dir, "rooms.db"));
  prepareDatabase(db, 5_000);
  const outbox = new SqliteWebhookOutbox(async (work) => work(db));
  return {
    outbox,
    append: (entry: Parameters<SqliteWebhookOutbox["append"]>[1]) => db.transaction(() => outbox.append(db, entry)).immediate(),
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

describeDelivery("sqlite", harness);
describeRetention("sqlite", harness, 25);
