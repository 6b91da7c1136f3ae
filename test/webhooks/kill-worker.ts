/**
 * A delivering instance for the SIGKILL test: opens the store the test
 * names and delivers its outbox until it is killed.
 * Usage: kill-worker.ts <sqlite|postgres> <filename|schema> <databaseUrl>
 */
import { Liveblocks } from "../../src/index.js";
import { PostgresStore } from "../../src/postgres.js";
import { SqliteStore } from "../../src/sqlite.js";
import { startWebhookDelivery } from "../../src/webhooks.js";

const [kind, where, databaseUrl] = process.argv.slice(2) as [string, string, string];
const store =
  kind === "sqlite" ? new SqliteStore({ filename: where }) : new PostgresStore({ connectionString: databaseUrl, schema: where });
const liveblocks = new Liveblocks({ secret: "sk_test_roomgate_0123456789", store, webhooks: {} });
startWebhookDelivery(liveblocks, { leaseMs: 1_500, pollMs: 20, owner: "child", timeoutMs: 30_000, batchSize: 8 });
console.log("ready");
