/**
 * The actor of a REST write: the `X-Roomgate-Actor` header, percent-encoded
 * UTF-8 (a header value is bytes, so `RestStore` sends
 * `encodeURIComponent(actor)`; plain ASCII without `%` reads as itself),
 * checked by the facade's rule and named by the header when it breaks it.
 */
import { checkActor } from "../liveblocks/actor.js";
import { ACTOR_HEADER } from "../protocol/actor.js";
import { invalidField } from "../protocol/errors.js";
import type { IncomingRequest } from "./body.js";

/** The header as the error names it. */
const FIELD = "X-Roomgate-Actor";

/**
 * The options of a write route: the request's signal and, if the header is
 * present, its decoded actor; 422 naming the header if it is malformed or
 * breaks the actor rule.
 *
 * @example
 * ```ts
 * await liveblocks.deleteRoom(roomId, writeOptionsOf(request));
 * ```
 */
export function writeOptionsOf(request: IncomingRequest): { signal: AbortSignal; actor?: string } {
  const raw = request.headers.get(ACTOR_HEADER);
  if (raw === null) return { signal: request.signal };
  let actor: string;
  try {
    actor = decodeURIComponent(raw);
  } catch {
    throw invalidField(FIELD, "must be percent-encoded UTF-8");
  }
  return { signal: request.signal, actor: checkActor(actor, FIELD) as string };
}
