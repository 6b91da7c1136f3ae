/**
 * The retention cases every outbox passes: the engine prunes finished
 * deliveries once their retention has passed (on its injectable clock), and
 * a fast-check model run of appends, deliveries, retries, replays and prunes
 * shows that pruning never removes a pending delivery, never breaks a
 * room's order, and deletes at most a batch at a time. Each store's test
 * file runs them with its outbox.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/rooms/journal.js";
import { WebhookDispatcher } from "../../src/webhooks.js";
import { generateWebhookSecret } from "../../src/index.js";
import type { DeliveryOutcome } from "../../src/webhooks/outbox.js";
import type { Harness } from "./delivery-cases.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

const endpoint = (events: ("roomUpdated" | "roomDeleted")[]) => ({
  id: "ep_1",
  url: "https://hooks.example.com/in",
  events,
  secret: generateWebhookSecret(),
  previousSecret: null,
  previousSecretExpiresAt: null,
  createdAt: new Date(T0),
  updatedAt: new Date(T0),
});

/** The k-th event: an update of `room` whose metadata carries k, so a delivery names its event. */
const update = (room: string, k: number, at: number): JournalEntry => ({
  type: "roomUpdated",
  roomId: room,
  changes: { metadata: { k: { before: null, after: String(k) } } },
  at: new Date(at),
  actor: "api",
});

type Step =
  | { op: "append"; room: number }
  | { op: "advance"; ms: number }
  | { op: "deliver"; outcomes: ("delivered" | "failed" | "retry")[] }
  | { op: "replay"; pick: number }
  | { op: "prune"; deliveredMs: number; failedMs: number; limit: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("append" as const), room: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 3 * DAY }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("deliver" as const),
      outcomes: fc.array(fc.constantFrom("delivered" as const, "failed" as const, "retry" as const), { minLength: 1, maxLength: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("replay" as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("prune" as const),
      deliveredMs: fc.integer({ min: 0, max: 4 * DAY }),
      failedMs: fc.integer({ min: 0, max: 6 * DAY }),
      limit: fc.integer({ min: 1, max: 4 }),
    }),
  },
);

/** What the model knows of delivery `d_k` (the delivery of event k). */
type Known = { k: number; room: string; status: "pending" | "delivered" | "failed"; finishedAt: number; pruned: boolean };

export function describeRetention(name: string, makeHarness: () => Promise<Harness>, runs: number): void {
  describe(`webhook retention (${name})`, () => {
    it("prune - the engine deletes delivered deliveries after deliveredMs and dead-lettered ones after failedMs, never a pending one", async () => {
      const harness = await makeHarness();
      const { outbox } = harness;
      try {
        await outbox.createEndpoint(endpoint(["roomUpdated"]));
        let now = T0;
        let n = 0;
        const dispatcher = new WebhookDispatcher({
          outbox,
          projectId: "pr_test",
          // Room "dead" is refused; the others are accepted (what is sent is beside the point here).
          transport: async (request) => ({ status: JSON.parse(request.body).data.roomId === "dead" ? 500 : 204 }),
          retryDelaysMs: [],
          circuit: { failureThreshold: 1_000 },
          retention: { deliveredMs: 1 * DAY, failedMs: 3 * DAY },
          now: () => now,
          newDeliveryId: () => `d_${n++}`,
        });
        await harness.append(update("ok", 0, now));
        await harness.append(update("dead", 1, now));
        await dispatcher.runOnce();
        await harness.append(update("ok", 2, now)); // fanned out below, still pending when the others expire
        await outbox.fanOut(new Date(now), 10, () => `d_${n++}`);
        const status = async (id: string) => (await outbox.getDelivery(id))?.status ?? "gone";
        expect([await status("d_0"), await status("d_1"), await status("d_2")]).toEqual(["delivered", "failed", "pending"]);

        now += 2 * DAY;
        await dispatcher.prune();
        expect([await status("d_0"), await status("d_1"), await status("d_2")]).toEqual(["gone", "failed", "pending"]);
        now += 2 * DAY;
        await dispatcher.prune();
        expect([await status("d_0"), await status("d_1"), await status("d_2")]).toEqual(["gone", "gone", "pending"]);
        // The pending one, however old, is still delivered afterwards.
        await dispatcher.runOnce();
        expect(await status("d_2")).toBe("delivered");
      } finally {
        await harness.close();
      }
    });

    it("prune - never removes a pending delivery, never breaks a room's order, deletes at most a batch (fast-check)", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
          const harness = await makeHarness();
          const { outbox } = harness;
          try {
            await outbox.createEndpoint(endpoint(["roomUpdated"]));
            let now = T0;
            const known: Known[] = [];
            const rooms: string[] = [];
            let fanned = 0;
            for (const s of steps) {
              if (s.op === "append") {
                rooms.push(`room-${s.room}`);
                await harness.append(update(`room-${s.room}`, rooms.length - 1, now));
              } else if (s.op === "advance") now += s.ms;
              else if (s.op === "deliver") {
                // One endpoint receives every event: the k-th delivery fanned out is event k's.
                while ((await outbox.fanOut(new Date(now), 500, () => `d_${fanned++}`)) > 0);
                for (let k = known.length; k < fanned; k++)
                  known.push({ k, room: rooms[k]!, status: "pending", finishedAt: 0, pruned: false });
                const claimed = await outbox.claim("w", new Date(now), new Date(now + 60_000), s.outcomes.length, new Set());
                const settled = claimed.map((delivery, i) => {
                  const k = Number(delivery.id.slice(2));
                  const model = known[k]!;
                  // The event travels with its delivery: still whole, and the one this id was made for.
                  expect((delivery.event.data as { changes: { metadata: { k: { after: string } } } }).changes.metadata.k.after).toBe(
                    String(k),
                  );
                  // Order: no earlier pending delivery of the same room is still there.
                  const earlier = known.filter((o) => o.k < k && o.status === "pending" && !o.pruned && o.room === model.room);
                  expect(earlier.map((o) => o.k)).toEqual([]);
                  const choice = s.outcomes[i] ?? "delivered";
                  const outcome: DeliveryOutcome =
                    choice === "retry"
                      ? {
                          status: "pending",
                          attempts: 1,
                          at: new Date(now),
                          nextAttemptAt: new Date(now + 1),
                          lastStatusCode: 500,
                          lastError: "HTTP 500",
                        }
                      : { status: choice, attempts: 1, at: new Date(now), nextAttemptAt: null, lastStatusCode: 204, lastError: null };
                  model.status = outcome.status;
                  model.finishedAt = now;
                  return { id: delivery.id, outcome };
                });
                expect(await outbox.settle("w", settled)).toBe(settled.length);
              } else if (s.op === "replay") {
                if (known.length === 0) continue;
                const model = known[s.pick % known.length]!;
                const again = await outbox.replay(`d_${model.k}`, new Date(now));
                expect(again === null).toBe(model.pruned);
                if (again !== null) model.status = "pending";
              } else {
                const deliveredBefore = now - s.deliveredMs;
                const failedBefore = now - s.failedMs;
                const pruned = await outbox.prune(
                  { deliveredBefore: new Date(deliveredBefore), failedBefore: new Date(failedBefore) },
                  s.limit,
                );
                expect(pruned).toBeLessThanOrEqual(s.limit);
                let gone = 0;
                for (const model of known) {
                  if (model.pruned) continue;
                  const stored = await outbox.getDelivery(`d_${model.k}`);
                  if (stored !== null) {
                    expect(stored.status).toBe(model.status);
                    continue;
                  }
                  // Only a finished delivery past its retention may go.
                  expect(model.status).not.toBe("pending");
                  expect(model.finishedAt).toBeLessThan(model.status === "delivered" ? deliveredBefore : failedBefore);
                  model.pruned = true;
                  gone++;
                }
                expect(gone).toBe(pruned);
              }
            }
            // Whatever was pruned, every pending delivery is still delivered, in order per room.
            now += 1;
            for (let round = 0; round < 200; round++) {
              while ((await outbox.fanOut(new Date(now), 500, () => `d_${fanned++}`)) > 0);
              const claimed = await outbox.claim("w", new Date(now), new Date(now + 60_000), 50, new Set());
              if (claimed.length === 0) break;
              await outbox.settle(
                "w",
                claimed.map((d) => ({
                  id: d.id,
                  outcome: {
                    status: "delivered",
                    attempts: 1,
                    at: new Date(now),
                    nextAttemptAt: null,
                    lastStatusCode: 204,
                    lastError: null,
                  },
                })),
              );
            }
            for (const model of known.filter((o) => !o.pruned))
              expect((await outbox.getDelivery(`d_${model.k}`))?.status).not.toBe("pending");
          } finally {
            await harness.close();
          }
        }),
        { numRuns: runs },
      );
    });
  });
}
