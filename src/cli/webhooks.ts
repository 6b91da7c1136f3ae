/**
 * `roomgate serve --webhook <url>`: makes sure an endpoint with that URL
 * exists (its secret from `--webhook-secret-file` or
 * `ROOMGATE_WEBHOOK_SECRET`, else generated and shown once) and delivers the
 * outbox in the background until the server stops. Never logs a secret it
 * was given.
 */
import type { Liveblocks } from "../index.js";
import { WebhookDispatcher } from "../webhooks/dispatcher.js";
import { createNodeTransport } from "../webhooks/transport.js";

/** What the command line gives for webhooks. */
export type ServeWebhookOptions = {
  url: string;
  /** A `whsec_…` secret; generated (and printed once) when absent and the endpoint is new. */
  secret?: string;
  /** Accept private-network addresses and plain http (a receiver on the same private network). */
  allowPrivateNetworks?: boolean;
};

/**
 * Creates the endpoint if missing (or updates its secret when one is given
 * and differs), then starts delivering. Resolves to the banner lines and
 * the stop function.
 *
 * @example
 * ```ts
 * const webhooks = await startServeWebhooks(liveblocks, { url: "https://example.com/hook" });
 * await webhooks.stop();
 * ```
 */
export async function startServeWebhooks(
  liveblocks: Liveblocks,
  options: ServeWebhookOptions,
): Promise<{ banner: string[]; stop(): Promise<void> }> {
  const banner: string[] = [];
  const existing = (await liveblocks.getWebhookEndpoints()).data.find((endpoint) => endpoint.url === options.url);
  if (existing === undefined) {
    const created = await liveblocks.createWebhookEndpoint({ url: options.url, ...(options.secret && { secret: options.secret }) });
    banner.push(`Webhooks to ${options.url} (endpoint ${created.id})`);
    if (options.secret === undefined) {
      banner.push("No webhook secret given (--webhook-secret-file or ROOMGATE_WEBHOOK_SECRET): generated one, shown only now:");
      banner.push(`  ${created.secret}`);
    }
  } else {
    if (options.secret !== undefined) await liveblocks.updateWebhookEndpoint({ endpointId: existing.id, secret: options.secret });
    banner.push(`Webhooks to ${options.url} (endpoint ${existing.id})`);
  }
  const outbox = liveblocks.webhookOutbox;
  if (outbox === null) throw new Error("webhooks: this store keeps no outbox");
  const transport = createNodeTransport({ allowPrivateNetworks: options.allowPrivateNetworks ?? false });
  const dispatcher = new WebhookDispatcher({
    outbox,
    projectId: liveblocks.projectId,
    transport,
    pollMs: 250,
    retention: liveblocks.webhookRetention ?? undefined,
  });
  dispatcher.start();
  return {
    banner,
    async stop() {
      await dispatcher.stop();
      transport.close();
    },
  };
}
