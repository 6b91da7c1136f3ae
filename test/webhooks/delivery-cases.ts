/**
 * The delivery cases every outbox passes: the engine over an outbox, to a
 * real HTTP receiver on loopback that verifies with the official
 * `WebhookHandler` of `@liveblocks/node`: signatures, rotation, order per
 * room while a receiver is down, dead-letter and replay, the circuit. Each
 * store's test file runs them with its outbox and its journal writer.
 */
import { WebhookHandler as OfficialHandler } from "@liveblocks/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/rooms/journal.js";
import { WebhookDispatcher, createNodeTransport } from "../../src/webhooks.js";
import { WebhookHandler, generateWebhookSecret } from "../../src/index.js";
import { presenceWebhookEvent } from "../../src/webhooks/events.js";
import type { StoredWebhookEndpoint, WebhookOutbox } from "../../src/webhooks/outbox.js";
import { type Receiver, startReceiver } from "./receiver.js";

const at = new Date("2026-01-02T03:04:05.000Z");
const room = (id: string) => ({
  type: "room" as const,
  id,
  createdAt: at,
  organizationId: "default",
  defaultAccesses: [],
  usersAccesses: Object.create(null),
  groupsAccesses: Object.create(null),
  metadata: Object.create(null),
});

function endpoint(url: string, secret: string, extra: Partial<StoredWebhookEndpoint> = {}): StoredWebhookEndpoint {
  return {
    id: "ep_1",
    url,
    events: null,
    secret,
    previousSecret: null,
    previousSecretExpiresAt: null,
    createdAt: at,
    updatedAt: at,
    ...extra,
  };
}

/** An outbox and how a store write reaches it (its journal writer, in the write's transaction). */
export type Harness = { outbox: WebhookOutbox; append(entry: JournalEntry): Promise<void> | void; close(): Promise<void> };

export function describeDelivery(name: string, makeHarness: () => Promise<Harness>): void {
  describe(`webhook delivery (${name})`, () => {
    let receiver: Receiver;
    let harness: Harness;
    let outbox: WebhookOutbox;
    let transport: ReturnType<typeof createNodeTransport>;
    beforeEach(async () => {
      receiver = await startReceiver();
      transport = createNodeTransport({ timeoutMs: 2_000 });
      harness = await makeHarness();
      outbox = harness.outbox;
    });
    afterEach(async () => {
      transport.close();
      await receiver.close();
      await harness.close();
    });

    async function drain(dispatcher: WebhookDispatcher, rounds = 50): Promise<void> {
      for (let i = 0; i < rounds && (await dispatcher.runOnce()) > 0; i++);
    }

    it("deliver - the official WebhookHandler verifies roomCreated, roomDeleted, userEntered and userLeft with the SDK's data shapes", async () => {
      const secret = generateWebhookSecret();
      await outbox.createEndpoint(endpoint(receiver.url, secret));
      await harness.append({ type: "roomCreated", roomId: "r1", room: room("r1"), at, actor: "api" });
      // What presenceWebhookListener enqueues for each event a gate reports.
      await outbox.enqueue([
        presenceWebhookEvent({
          type: "userEntered",
          roomId: "r1",
          connectionId: 7,
          userId: "ada",
          userInfo: { name: "Ada" },
          at,
          numActiveUsers: 1,
        }),
      ]);
      await outbox.enqueue([
        presenceWebhookEvent({
          type: "userLeft",
          roomId: "r1",
          connectionId: 7,
          userId: "ada",
          userInfo: { name: "Ada" },
          at,
          numActiveUsers: 0,
        }),
      ]);
      await harness.append({ type: "roomDeleted", roomId: "r1", at, actor: "api" });
      const dispatcher = new WebhookDispatcher({ outbox, projectId: "pr_test", transport });
      await drain(dispatcher);

      const official = new OfficialHandler(secret);
      const events = receiver.received.map((request) =>
        official.verifyRequest({ headers: request.headers as Record<string, string>, rawBody: request.body }),
      );
      expect(events).toEqual([
        { type: "roomCreated", data: { projectId: "pr_test", roomId: "r1", createdAt: at.toISOString() } },
        {
          type: "userEntered",
          data: {
            projectId: "pr_test",
            roomId: "r1",
            connectionId: 7,
            userId: "ada",
            userInfo: { name: "Ada" },
            enteredAt: at.toISOString(),
            numActiveUsers: 1,
          },
        },
        {
          type: "userLeft",
          data: {
            projectId: "pr_test",
            roomId: "r1",
            connectionId: 7,
            userId: "ada",
            userInfo: { name: "Ada" },
            leftAt: at.toISOString(),
            numActiveUsers: 0,
          },
        },
        { type: "roomDeleted", data: { projectId: "pr_test", roomId: "r1", deletedAt: at.toISOString() } },
      ]);
      // One webhook-id per event, and a wrong secret fails.
      expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(4);
      const first = receiver.received[0]!;
      expect(() =>
        new OfficialHandler(generateWebhookSecret()).verifyRequest({
          headers: first.headers as Record<string, string>,
          rawBody: first.body,
        }),
      ).toThrow(/Invalid signature/);
    });

    it("deliver - roomgate's own events go only to endpoints that list them; the official handler refuses them, roomgate's handler verifies them", async () => {
      const secret = generateWebhookSecret();
      await outbox.createEndpoint(
        endpoint(receiver.url, secret, { id: "ep_own", events: ["roomUpdated", "tokensRevoked", "roomCreated"] }),
      );
      await outbox.createEndpoint(endpoint(receiver.url.replace("/hook", "/liveblocks"), secret, { id: "ep_lb" }));
      const entries: JournalEntry[] = [
        { type: "roomCreated", roomId: "r", room: room("r"), at, actor: "api" },
        {
          type: "roomUpdated",
          roomId: "r",
          changes: { usersAccesses: { ada: { before: null, after: ["room:write"] } } },
          at,
          actor: "alice",
        },
        { type: "tokensRevoked", userId: "ada", issuedBefore: 1_700_000_000, at, actor: "api" },
      ];
      for (const entry of entries) await harness.append(entry);
      await drain(new WebhookDispatcher({ outbox, projectId: "pr_test", transport }));

      const own = receiver.received.filter((r) => r.headers["webhook-id"] && JSON.parse(r.body).type !== "roomCreated");
      // Different order keys (a room, a user): no order between them.
      expect(own.map((r) => JSON.parse(r.body).type).sort()).toEqual(["roomUpdated", "tokensRevoked"]);
      own.sort((a, b) => (JSON.parse(a.body).type < JSON.parse(b.body).type ? -1 : 1));
      // The Liveblocks-only endpoint got roomCreated alone.
      expect(receiver.received.filter((r) => JSON.parse(r.body).type === "roomCreated")).toHaveLength(2);
      const mine = new WebhookHandler(secret);
      const official = new OfficialHandler(secret);
      for (const request of own) {
        const input = { headers: request.headers as Record<string, string>, rawBody: request.body };
        expect(() => official.verifyRequest(input)).toThrow(/Unknown event type/);
        expect(mine.verifyRequest(input).type).toBe(JSON.parse(request.body).type);
      }
      expect(JSON.parse(own[0]!.body).data).toEqual({
        projectId: "pr_test",
        roomId: "r",
        changes: { usersAccesses: { ada: { before: null, after: ["room:write"] } } },
        at: at.toISOString(),
        actor: "alice",
      });
    });

    it("deliver - during a secret rotation both signatures are sent and either secret verifies; after the overlap only the new one", async () => {
      const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
      let now = Date.now();
      await outbox.createEndpoint(
        endpoint(receiver.url, newSecret, { previousSecret: oldSecret, previousSecretExpiresAt: new Date(now + 60_000) }),
      );
      const dispatcher = new WebhookDispatcher({ outbox, projectId: "pr_test", transport, now: () => now });
      await harness.append({ type: "roomCreated", roomId: "a", room: room("a"), at, actor: "api" });
      await drain(dispatcher);
      const during = receiver.received[0]!;
      expect(String(during.headers["webhook-signature"]).split(" ")).toHaveLength(2);
      for (const secret of [oldSecret, newSecret]) {
        expect(
          new OfficialHandler(secret).verifyRequest({ headers: during.headers as Record<string, string>, rawBody: during.body }).type,
        ).toBe("roomCreated");
      }
      now += 120_000;
      await harness.append({ type: "roomCreated", roomId: "b", room: room("b"), at, actor: "api" });
      await drain(dispatcher);
      const after = receiver.received[1]!;
      expect(String(after.headers["webhook-signature"]).split(" ")).toHaveLength(1);
      // The header timestamp is the engine's clock; verify with a handler on the same clock.
      const input = { headers: after.headers as Record<string, string>, rawBody: after.body };
      expect(() => new WebhookHandler(oldSecret, { now: () => now }).verifyRequest(input)).toThrow(/No signature matches/);
      expect(new WebhookHandler(newSecret, { now: () => now }).verifyRequest(input).type).toBe("roomCreated");
    });

    it("deliver - a receiver down for a while gets every event afterwards, once per webhook-id, in commit order per room", async () => {
      await outbox.createEndpoint(endpoint(receiver.url, generateWebhookSecret()));
      let down = true;
      receiver.respond = () => (down ? 503 : 200);
      const dispatcher = new WebhookDispatcher({
        outbox,
        projectId: "pr_test",
        transport,
        retryDelaysMs: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        circuit: { failureThreshold: 1000 },
        random: () => 0.5,
      });
      const rooms = ["a", "b", "c"];
      for (let i = 0; i < 10; i++) {
        for (const id of rooms) {
          await harness.append({
            type: "roomUpdated",
            roomId: id,
            changes: { metadata: { n: { before: null, after: String(i) } } },
            at,
            actor: "api",
          });
        }
      }
      await outbox.replaceEndpoint(endpoint(receiver.url, (await outbox.getEndpoint("ep_1"))!.secret, { events: ["roomUpdated"] }));
      for (let i = 0; i < 3; i++) {
        await dispatcher.runOnce();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(receiver.received.length).toBeGreaterThan(0);
      down = false;
      for (let i = 0; i < 200; i++) {
        await dispatcher.runOnce();
        const pending = await outbox.listDeliveries({ endpointId: "ep_1", status: "pending", limit: 100 });
        if (pending.deliveries.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const delivered = await outbox.listDeliveries({ endpointId: "ep_1", status: "delivered", limit: 100 });
      expect(delivered.deliveries).toHaveLength(30);
      const accepted = receiver.received.filter((r) => r.status === 200);
      // Once per webhook-id: an id is answered 200 once, later attempts only follow failures.
      expect(new Set(accepted.map((r) => r.headers["webhook-id"])).size).toBe(accepted.length);
      expect(accepted).toHaveLength(30);
      for (const id of rooms) {
        const order = accepted
          .filter((r) => JSON.parse(r.body).data.roomId === id)
          .map((r) => JSON.parse(r.body).data.changes.metadata.n.after);
        expect(order).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
      }
    });

    it("deliver - after the last retry a delivery is dead-lettered (status failed), holds the room's queue no more, and replay sends it again with the same webhook-id", async () => {
      await outbox.createEndpoint(endpoint(receiver.url, generateWebhookSecret()));
      receiver.respond = (request) => (JSON.parse(request.body).data.roomId === "x" && !replayed ? 500 : 204);
      let replayed = false;
      const dispatcher = new WebhookDispatcher({
        outbox,
        projectId: "pr_test",
        transport,
        retryDelaysMs: [1, 1],
        circuit: { failureThreshold: 100 },
      });
      await harness.append({ type: "roomCreated", roomId: "x", room: room("x"), at, actor: "api" });
      await harness.append({ type: "roomDeleted", roomId: "x", at, actor: "api" });
      for (let i = 0; i < 20; i++) {
        await dispatcher.runOnce();
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const failed = await outbox.listDeliveries({ endpointId: "ep_1", status: "failed", limit: 10 });
      // 3 attempts (the first and 2 retries) of each, both dead.
      expect(failed.deliveries.map((d) => [d.eventType, d.attempts, d.lastStatusCode, d.lastError])).toEqual([
        ["roomDeleted", 3, 500, "HTTP 500"],
        ["roomCreated", 3, 500, "HTTP 500"],
      ]);
      expect(receiver.received).toHaveLength(6);
      replayed = true;
      const created = failed.deliveries[1]!;
      const again = await outbox.replay(created.id, new Date());
      expect(again).toMatchObject({ id: created.id, status: "pending", attempts: 0 });
      await drain(dispatcher);
      const last = receiver.received.at(-1)!;
      expect([last.headers["webhook-id"], last.status]).toEqual([created.id, 204]);
      expect((await outbox.getDelivery(created.id))?.status).toBe("delivered");
    });

    it("deliver - a dead receiver opens the endpoint's circuit: no call until it closes, and the wait costs no attempt", async () => {
      await outbox.createEndpoint(endpoint(receiver.url, generateWebhookSecret()));
      receiver.respond = () => 503;
      let now = Date.now();
      const dispatcher = new WebhookDispatcher({
        outbox,
        projectId: "pr_test",
        transport,
        now: () => now,
        retryDelaysMs: [1, 1, 1, 1, 1, 1, 1, 1, 1],
        random: () => 0.5,
        circuit: { failureThreshold: 3, openMs: 60_000 },
      });
      for (const id of ["a", "b", "c", "d"]) await harness.append({ type: "roomCreated", roomId: id, room: room(id), at, actor: "api" });
      await dispatcher.runOnce(); // 4 rooms, 4 calls: the circuit opens on the third failure
      expect(receiver.received).toHaveLength(4);
      now += 10;
      for (let i = 0; i < 5; i++) await dispatcher.runOnce();
      expect(receiver.received).toHaveLength(4);
      now += 60_000;
      receiver.respond = () => 204;
      await dispatcher.runOnce();
      expect(receiver.received.length).toBeGreaterThan(4);
      const all = await outbox.listDeliveries({ endpointId: "ep_1", limit: 10 });
      expect(all.deliveries.every((d) => d.attempts <= 2)).toBe(true);
    });
  });
}
