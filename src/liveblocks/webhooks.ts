/**
 * The facade's webhook part: with the `webhooks` option, the store's outbox
 * is opened when the instance is created (so every write of this instance
 * records its events from then on) and the management methods run on it.
 */
import { notImplemented } from "../protocol/errors.js";
import type { RoomStore } from "../rooms/types.js";
import type { WebhookManagement } from "../webhooks/management.js";
import { type WebhookOutbox, outboxOf } from "../webhooks/outbox.js";
import { type WebhookRetention, resolveRetention } from "../webhooks/retention.js";

/** The `webhooks` option of `new Liveblocks`. */
export type WebhookOptions = {
  /**
   * Accept endpoints on private-network, link-local and metadata addresses,
   * and plain `http:` off loopback (default false: SSRF protection).
   */
  allowPrivateNetworks?: boolean;
  /**
   * How long finished deliveries are kept before the delivery engine prunes
   * them: `deliveredMs` after delivery (default 7 days), `failedMs` after a
   * dead-letter's last attempt (default 30 days). Pending ones never are.
   */
  retention?: WebhookRetention;
};

/** @internal The webhook part of an instance, or `null` without the option. */
export function resolveWebhooks(options: WebhookOptions | undefined, store: RoomStore, now: () => number): WebhookManagement | null {
  if (options === undefined) return null;
  if (typeof options !== "object" || options === null) throw new TypeError("Invalid value for field 'webhooks'. Please provide an object.");
  const allow = options.allowPrivateNetworks;
  if (allow !== undefined && typeof allow !== "boolean") {
    throw new TypeError("Invalid value for field 'webhooks.allowPrivateNetworks'. Please provide a boolean.");
  }
  const retention = resolveRetention(options.retention, "webhooks.retention");
  return { outbox: outboxOf(store), now, allowPrivateNetworks: allow ?? false, retention };
}

/** @internal The management part, or 501 naming the option that turns it on. */
export function webhooksOrFail(webhooks: WebhookManagement | null): WebhookManagement {
  if (webhooks === null) throw notImplemented("Webhooks (pass `webhooks: {}` to new Liveblocks)");
  return webhooks;
}

/** @internal The retention the delivery engine prunes by, `null` without the option. */
export function retentionOrNull(webhooks: WebhookManagement | null): Required<WebhookRetention> | null {
  return webhooks?.retention ?? null;
}

/** @internal The outbox, for the delivery engine. */
export function outboxOrNull(webhooks: WebhookManagement | null): WebhookOutbox | null {
  return webhooks?.outbox ?? null;
}
