/**
 * The `retention` option: its defaults and its validation (on the engine
 * and on `new Liveblocks({ webhooks })`), and the facade handing it to the
 * engine `startWebhookDelivery` starts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Liveblocks, MemoryStore } from "../../src/index.js";
import {
  DEFAULT_DELIVERED_RETENTION_MS,
  DEFAULT_FAILED_RETENTION_MS,
  WebhookDispatcher,
  startWebhookDelivery,
} from "../../src/webhooks.js";
import { MemoryWebhookOutbox } from "../../src/stores/memory/outbox.js";
import { resolveRetention } from "../../src/webhooks/retention.js";

const SECRET = "sk_test_roomgate_0123456789";

describe("webhook retention option", () => {
  it("resolveRetention - defaults to 7 days delivered and 30 days dead-lettered", () => {
    expect(resolveRetention(undefined)).toEqual({ deliveredMs: 7 * 86_400_000, failedMs: 30 * 86_400_000 });
    expect([DEFAULT_DELIVERED_RETENTION_MS, DEFAULT_FAILED_RETENTION_MS]).toEqual([604_800_000, 2_592_000_000]);
    expect(resolveRetention({ failedMs: 5 })).toEqual({ deliveredMs: DEFAULT_DELIVERED_RETENTION_MS, failedMs: 5 });
  });

  it("resolveRetention - accepts every whole number of milliseconds from 0 and refuses anything else, naming the field", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.anything()), fc.constantFrom("deliveredMs", "failedMs"), (value, key) => {
        const valid = typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
        const fallback = key === "deliveredMs" ? DEFAULT_DELIVERED_RETENTION_MS : DEFAULT_FAILED_RETENTION_MS;
        if (value === undefined || valid) expect(resolveRetention({ [key]: value })[key as "deliveredMs"]).toBe(value ?? fallback);
        else
          expect(() => resolveRetention({ [key]: value }, "webhooks.retention")).toThrow(
            `Invalid value for field 'webhooks.retention.${key}'`,
          );
      }),
    );
    for (const bad of [null, 5, "7d", []])
      expect(() => resolveRetention(bad)).toThrow("Invalid value for field 'retention'. Please provide an object.");
  });

  it("constructor - new Liveblocks and the engine refuse a bad retention, naming the field", () => {
    expect(() => new Liveblocks({ secret: SECRET, store: new MemoryStore(), webhooks: { retention: { failedMs: -1 } } })).toThrow(
      "Invalid value for field 'webhooks.retention.failedMs'",
    );
    const outbox = new MemoryWebhookOutbox();
    expect(
      () => new WebhookDispatcher({ outbox, projectId: "p", transport: async () => ({ status: 204 }), retention: { deliveredMs: 1.5 } }),
    ).toThrow("Invalid value for field 'retention.deliveredMs'");
  });

  it("startWebhookDelivery - the engine prunes by the instance's webhooks.retention", async () => {
    const liveblocks = new Liveblocks({
      secret: SECRET,
      store: new MemoryStore(),
      webhooks: { allowPrivateNetworks: true, retention: { deliveredMs: 0, failedMs: 60_000 } },
    });
    expect(liveblocks.webhookRetention).toEqual({ deliveredMs: 0, failedMs: 60_000 });
    const endpoint = await liveblocks.createWebhookEndpoint({ url: "http://127.0.0.1:9/hook" });
    const delivery = startWebhookDelivery(liveblocks, { transport: async () => ({ status: 204 }), pollMs: 5 });
    try {
      await liveblocks.createRoom("r", { defaultAccesses: [] });
      delivery.dispatcher.wake();
      const outbox = liveblocks.webhookOutbox!;
      let delivered: string | undefined;
      for (let i = 0; i < 200 && delivered === undefined; i++) {
        delivered = (await outbox.listDeliveries({ endpointId: endpoint.id, status: "delivered", limit: 1 })).deliveries[0]?.id;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(delivered).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 2));
      expect(await delivery.dispatcher.prune()).toBe(1);
      expect(await outbox.getDelivery(delivered!)).toBeNull();
    } finally {
      await delivery.stop();
    }
  });
});
