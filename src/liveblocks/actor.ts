/**
 * The actor of a write: who made it, as the caller names it
 * (`{ actor: "admin:ada" }` on any write method, or the `X-Roomgate-Actor`
 * header over REST). It is recorded with the write's journal entry (audit
 * trail, webhooks); absent, the store records `DEFAULT_ACTOR` ("api").
 */
import { invalidField } from "../protocol/errors.js";
import { isStorableText, NOT_STORABLE } from "../rooms/text.js";

/** The longest actor, in UTF-16 code units, as for other ids. */
export const MAX_ACTOR_LENGTH = 256;

/**
 * `actor` if it is one a store records: a non-empty string of at most
 * {@link MAX_ACTOR_LENGTH} characters a store can hold; otherwise 422
 * `UNPROCESSABLE_ENTITY` naming `field`.
 *
 * @example
 * ```ts
 * const actor = checkActor(options?.actor); // undefined stays undefined
 * ```
 */
export function checkActor(actor: unknown, field = "actor"): string | undefined {
  if (actor === undefined) return undefined;
  if (typeof actor !== "string") throw invalidField(field, "must be a string");
  if (actor.length === 0) throw invalidField(field, "must not be empty");
  if (actor.length > MAX_ACTOR_LENGTH) throw invalidField(field, `must be at most ${MAX_ACTOR_LENGTH} characters`);
  if (!isStorableText(actor)) throw invalidField(field, NOT_STORABLE);
  return actor;
}

/** The options of a store write: the caller's signal and its checked actor. */
export function writeOptions(options: { signal?: AbortSignal; actor?: string } | undefined): { signal?: AbortSignal; actor?: string } {
  const actor = checkActor(options?.actor);
  return { ...(options?.signal !== undefined && { signal: options.signal }), ...(actor !== undefined && { actor }) };
}
