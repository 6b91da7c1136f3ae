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

describe.skipIf(unreachable !== null)("postgres outbox, concurrent pruning", () => {
  it("prune - four instances pruning at once while deliveries are replayed delete each finished one once and never one replayed", async () => {
    const schema = testSchema("webhooksprune");
    const pools = [0, 1, 2, 3].map(() => new Connections({ connectionString: DATABASE_URL }, schema));
    const outboxes = pools.map((connections) => new PostgresWebhookOutbox(connections, schema));
    try {
      const outbox = outboxes[0]!;
      const at = new Date(Date.UTC(2026, 0, 1));
      await outbox.createEndpoint({
        id: "ep_1",
        url: "https://hooks.example.com/in",
        events: ["roomDeleted"],
        secret: generateWebhookSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
        createdAt: at,
        updatedAt: at,
      });
      const total = 120;
      // One room each, so every delivery heads its own queue and all are claimed at once.
      await outbox.enqueue(
        Array.from({ length: total }, (_, i) => ({ type: "roomDeleted" as const, orderKey: `r${i}`, data: { roomId: `r${i}` }, at })),
      );
      let n = 0;
      await outbox.fanOut(at, 500, () => `d_${n++}`);
      const claimed = await outbox.claim("w", at, new Date(at.getTime() + 60_000), total, new Set());
      expect(claimed).toHaveLength(total);
      const outcome = (i: number) => ({
        status: i % 2 === 0 ? ("delivered" as const) : ("failed" as const),
        attempts: 1,
        at,
        nextAttemptAt: null,
        lastStatusCode: 204,
        lastError: null,
      });
      expect(
        await outbox.settle(
          "w",
          claimed.map((d, i) => ({ id: d.id, outcome: outcome(i) })),
        ),
      ).toBe(total);
      const cutoffs = { deliveredBefore: new Date(at.getTime() + 1), failedBefore: new Date(at.getTime() + 1) };
      const replayed = new Map<string, boolean>();
      let pruned = 0;
      await Promise.all([
        ...outboxes.map(async (o) => {
          for (let round = 0; round < 50; round++) {
            const count = await o.prune(cutoffs, 7);
            pruned += count;
            if (count === 0) break;
          }
        }),
        (async () => {
          for (let i = 0; i < total; i += 3) replayed.set(`d_${i}`, (await outboxes[i % 4]!.replay(`d_${i}`, at)) !== null);
        })(),
      ]);
      const left = await Promise.all(
        Array.from({ length: total }, async (_, i) => [`d_${i}`, (await outbox.getDelivery(`d_${i}`))?.status ?? "gone"] as const),
      );
      for (const [id, status] of left) {
        // A replay that found the delivery made it pending for good; one that did not found it pruned.
        if (replayed.get(id) === true) expect([id, status]).toEqual([id, "pending"]);
        else expect([id, status]).toEqual([id, "gone"]);
      }
      expect(pruned).toBe(left.filter(([, status]) => status === "gone").length);
    } finally {
      for (const connections of pools) {
        connections.close();
        await connections.end();
      }
      await dropSchema(schema);
    }
  });
});
