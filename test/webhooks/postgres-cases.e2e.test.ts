/**
 * The delivery cases on the Postgres outbox (slow: a schema per case, so
 * they run in `npm run test:e2e`; the facade tests cover Postgres with the
 * official handler in the fast suite).
 */
import { describe } from "vitest";
import { Connections } from "../../src/stores/postgres/connection.js";
import { PostgresWebhookOutbox } from "../../src/stores/postgres/outbox.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../stores/postgres/helpers.js";
import { describeDelivery } from "./delivery-cases.js";

const unreachable = await probePostgres();
if (unreachable !== null) console.warn(`Skipping the PostgreSQL webhook delivery cases: ${unreachable}`);

describe.skipIf(unreachable !== null)("postgres outbox", () => {
  describeDelivery("postgres", async () => {
    const schema = testSchema("webhooks");
    const connections = new Connections({ connectionString: DATABASE_URL }, schema);
    const outbox = new PostgresWebhookOutbox(connections, schema);
    await outbox.ready();
    return {
      outbox,
      append: (entry) => connections.transaction(undefined, (client) => outbox.append(client, entry)),
      close: async () => {
        connections.close();
        await connections.end();
        await dropSchema(schema);
      },
    };
  });
});
