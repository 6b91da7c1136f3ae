import { describe, expect, it } from "vitest";
import { MemoryWebhookOutbox } from "../../src/stores/memory/outbox.js";
import { generateWebhookSecret } from "../../src/index.js";
import { describeDelivery } from "./delivery-cases.js";
import { describeRetention } from "./retention-cases.js";

const harness = async () => {
  const outbox = new MemoryWebhookOutbox();
  return { outbox, append: (entry: Parameters<MemoryWebhookOutbox["append"]>[0]) => outbox.append(entry), close: async () => undefined };
};

describeDelivery("memory", harness);
describeRetention("memory", harness, 60);

describe("memory outbox bound", () => {
  it("settle - keeps at most maxFinished finished deliveries, dropping the oldest finished and never a pending one", async () => {
    const outbox = new MemoryWebhookOutbox({ maxFinished: 3 });
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
    // Ten rooms, so each delivery heads its own queue; room 9's stays pending.
    for (let i = 0; i < 10; i++) outbox.append({ type: "roomDeleted", roomId: `r${i}`, at, actor: "api" });
    let n = 0;
    await outbox.fanOut(at, 100, () => `d_${n++}`);
    const claimed = await outbox.claim("w", at, new Date(at.getTime() + 60_000), 100, new Set());
    expect(claimed).toHaveLength(10);
    const outcomes = claimed
      .filter((d) => d.id !== "d_9")
      .map((d, i) => ({
        id: d.id,
        outcome: {
          status: i % 2 === 0 ? ("delivered" as const) : ("failed" as const),
          attempts: 1,
          at: new Date(at.getTime() + i),
          nextAttemptAt: null,
          lastStatusCode: 204,
          lastError: null,
        },
      }));
    for (const settled of outcomes) await outbox.settle("w", [settled]);
    const kept = await Promise.all(Array.from({ length: 10 }, async (_, i) => (await outbox.getDelivery(`d_${i}`))?.status ?? "gone"));
    expect(kept).toEqual(["gone", "gone", "gone", "gone", "gone", "gone", "delivered", "failed", "delivered", "pending"]);
    const listed = await outbox.listDeliveries({ endpointId: "ep_1", limit: 100 });
    expect(listed.deliveries.map((d) => d.id)).toEqual(["d_9", "d_8", "d_7", "d_6"]);
  });

  it("constructor - refuses a maxFinished that is not a whole number, naming the field", () => {
    expect(() => new MemoryWebhookOutbox({ maxFinished: -1 })).toThrow("Invalid value for field 'maxFinished'");
    expect(() => new MemoryWebhookOutbox({ maxFinished: 1.5 })).toThrow("Invalid value for field 'maxFinished'");
  });
});
