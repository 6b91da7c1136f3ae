import { afterAll, describe, expect, it } from "vitest";
import { generateWebhookSecret } from "../../src/index.js";
import { WebhookDispatcher, createNodeTransport } from "../../src/webhooks.js";
import { startReceiver } from "./receiver.js";
import { describeRetention } from "./retention-cases.js";
import { Connections } from "../../src/stores/postgres/connection.js";
import { PostgresWebhookOutbox } from "../../src/stores/postgres/outbox.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../stores/postgres/helpers.js";

const unreachable = await probePostgres();
if (unreachable !== null) console.warn(`Skipping the PostgreSQL webhook tests: ${unreachable}`);

describe.skipIf(unreachable !== null)("postgres outbox, two instances", () => {
  it("deliver - two engines on two pools sharing one database deliver every event exactly once between them, in order per room", async () => {
    const schema = testSchema("webhooks2");
    const pools = [0, 1].map(() => new Connections({ connectionString: DATABASE_URL }, schema));
    const outboxes = pools.map((connections) => new PostgresWebhookOutbox(connections, schema));
    const receiver = await startReceiver();
    const transport = createNodeTransport();
    try {
      for (const outbox of outboxes) await outbox.ready();
      await outboxes[0]!.createEndpoint({
        id: "ep_1",
        url: receiver.url,
        events: ["roomUpdated"],
        secret: generateWebhookSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      const total = 60;
      for (let i = 0; i < total; i++) {
        const outbox = outboxes[i % 2]!;
        await pools[i % 2]!.transaction(undefined, (client) =>
          outbox.append(client, {
            type: "roomUpdated",
            roomId: `room-${i % 12}`,
            changes: { metadata: { n: { before: null, after: String(i) } } },
            at: new Date(),
            actor: "api",
          }),
        );
      }
      const engines = outboxes.map(
        (outbox, i) => new WebhookDispatcher({ outbox, projectId: "pr_test", transport, batchSize: 16, owner: `engine-${i}` }),
      );
      const perEngine = [0, 0];
      await Promise.all(
        engines.map(async (engine, i) => {
          for (let round = 0; round < 400 && receiver.received.length < total; round++) perEngine[i]! += await engine.runOnce();
        }),
      );
      const ids = receiver.received.map((r) => String(r.headers["webhook-id"]));
      expect(ids).toHaveLength(total);
      expect(new Set(ids).size).toBe(total);
      // Both took part.
      expect(perEngine[0]).toBeGreaterThan(0);
      expect(perEngine[1]).toBeGreaterThan(0);
      for (let room = 0; room < 12; room++) {
        const order = receiver.received
          .map((r) => JSON.parse(r.body).data)
          .filter((data) => data.roomId === `room-${room}`)
          .map((data) => Number(data.changes.metadata.n.after));
        expect(order).toEqual([...order].sort((a, b) => a - b));
        expect(order).toHaveLength(total / 12);
      }
    } finally {
      transport.close();
      await receiver.close();
      for (const connections of pools) {
        connections.close();
        await connections.end();
      }
      await dropSchema(schema);
    }
  });
});

if (unreachable === null) {
  // One schema for the file: each run deletes its endpoint (its deliveries go with it) and leaves no event.
  const schema = testSchema("webhooksret");
  const connections = new Connections({ connectionString: DATABASE_URL }, schema);
  const outbox = new PostgresWebhookOutbox(connections, schema);
  afterAll(async () => {
    connections.close();
    await connections.end();
    await dropSchema(schema);
  });
  describeRetention(
    "postgres",
    async () => ({
      outbox,
      append: (entry: Parameters<PostgresWebhookOutbox["append"]>[1]) =>
        connections.transaction(undefined, (client) => outbox.append(client, entry)),
      close: async () => {
        await outbox.deleteEndpoint("ep_1");
        await connections.withClient(undefined, (client) => client.query(`DELETE FROM "${schema}".webhook_events`));
      },
    }),
    30,
  );
}
