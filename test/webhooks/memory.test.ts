import { MemoryWebhookOutbox } from "../../src/stores/memory/outbox.js";
import { describeDelivery } from "./delivery-cases.js";

describeDelivery("memory", async () => {
  const outbox = new MemoryWebhookOutbox();
  return { outbox, append: (entry) => outbox.append(entry), close: async () => undefined };
});
