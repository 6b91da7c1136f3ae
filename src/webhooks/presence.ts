/**
 * Presence to webhooks: each connection a gate admits or closes becomes a
 * `userEntered` / `userLeft` event in the outbox (when any endpoint exists).
 */
import { type PresenceInput, presenceWebhookEvent } from "./events.js";
import type { WebhookOutbox } from "./outbox.js";

/**
 * The listener that enqueues a gate's presence events; hand it to the
 * facade's `subscribePresence`. An outbox failure goes to `onError`, never
 * to the gate.
 *
 * @example
 * ```ts
 * liveblocks.subscribePresence(presenceWebhookListener(outbox));
 * ```
 */
export function presenceWebhookListener(
  outbox: WebhookOutbox,
  onError: (error: unknown) => void = () => undefined,
): (event: PresenceInput) => void {
  return (event) => {
    outbox.enqueue([presenceWebhookEvent(event)]).catch(onError);
  };
}
