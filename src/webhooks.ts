/**
 * `roomgate/webhooks`: the delivery engine (Node only: it resolves and
 * connects with `node:dns` and `node:http`), and the receiving side.
 *
 * @example
 * ```ts
 * import { startWebhookDelivery } from "roomgate/webhooks";
 * const liveblocks = new Liveblocks({ secret, store, webhooks: {} });
 * const delivery = startWebhookDelivery(liveblocks);
 * // on shutdown
 * await delivery.stop();
 * ```
 */
import type { Liveblocks } from "./liveblocks/client.js";
import { type WebhookDispatcherOptions, WebhookDispatcher } from "./webhooks/dispatcher.js";
import { type NodeTransportOptions, createNodeTransport } from "./webhooks/transport.js";

export { WebhookDispatcher, signingSecrets } from "./webhooks/dispatcher.js";
export type { DeliveryReport, WebhookDispatcherOptions } from "./webhooks/dispatcher.js";
export { DeliveryError, createNodeTransport } from "./webhooks/transport.js";
export type { NodeTransportOptions, TransportRequest, TransportResponse, WebhookTransport } from "./webhooks/transport.js";
export { RETRY_DELAYS_MS, RETRY_JITTER, retryDelay } from "./webhooks/schedule.js";
export type { CircuitOptions } from "./webhooks/schedule.js";
export { DEFAULT_DELIVERED_RETENTION_MS, DEFAULT_FAILED_RETENTION_MS } from "./webhooks/retention.js";
export { presenceWebhookListener } from "./webhooks/presence.js";
export * from "./webhooks/public.js";

/** Options of {@link startWebhookDelivery}: the engine's and the transport's. */
export type WebhookDeliveryOptions = Omit<WebhookDispatcherOptions, "outbox" | "projectId" | "transport"> &
  NodeTransportOptions & { transport?: WebhookDispatcherOptions["transport"] };

/**
 * Starts delivering the webhooks of `liveblocks` (created with the
 * `webhooks` option) in the background; `stop()` finishes the deliveries in
 * flight and closes the connections.
 *
 * @example
 * ```ts
 * const delivery = startWebhookDelivery(liveblocks, { timeoutMs: 5_000 });
 * await delivery.stop();
 * ```
 */
export function startWebhookDelivery(
  liveblocks: Liveblocks,
  options: WebhookDeliveryOptions = {},
): { dispatcher: WebhookDispatcher; stop(): Promise<void> } {
  const outbox = liveblocks.webhookOutbox;
  if (outbox === null)
    throw new TypeError("startWebhookDelivery: pass `webhooks: {}` to new Liveblocks, over a store that keeps an outbox");
  const nodeTransport = options.transport === undefined ? createNodeTransport(options) : null;
  const dispatcher = new WebhookDispatcher({
    ...options,
    retention: options.retention ?? liveblocks.webhookRetention ?? undefined,
    outbox,
    projectId: liveblocks.projectId,
    transport: options.transport ?? (nodeTransport as NonNullable<typeof nodeTransport>),
  });
  dispatcher.start();
  return {
    dispatcher,
    async stop() {
      await dispatcher.stop();
      nodeTransport?.close();
    },
  };
}
