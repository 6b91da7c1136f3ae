/**
 * What a connection may send, read off the Hocuspocus wire before Hocuspocus
 * applies it. Hocuspocus' read-only connection blocks document updates only;
 * presence and broadcasts need rules of their own:
 * - presence (awareness): a connection changes its own entries only (the
 *   rule every Yjs gate shares, in `realtime/yjs-wire.ts`);
 * - broadcasts to every connection of the document (`BroadcastStateless`)
 *   write to others, so they need write access.
 * A Hocuspocus message is the document name (varString), the message type
 * (varUint), then its body.
 */
import {
  type AwarenessOwners,
  foreignAwareness,
  REFUSED_MALFORMED,
  REFUSED_READ_ONLY_BROADCAST,
  WireReader,
} from "../realtime/yjs-wire.js";

export { type AwarenessOwners, REFUSED_FOREIGN_AWARENESS, REFUSED_MALFORMED, REFUSED_READ_ONLY_BROADCAST } from "../realtime/yjs-wire.js";

/** Hocuspocus' message types this gate reads. */
const AWARENESS = 1;
const BROADCAST_STATELESS = 6;

/**
 * The reason to refuse `message` from a connection, or `undefined` to let it
 * through. `readOnly` is the connection's current access.
 */
export function refusal(message: Uint8Array, readOnly: boolean, owners: AwarenessOwners): string | undefined {
  const reader = new WireReader(message);
  try {
    reader.skipBytes(); // the document name
    const type = reader.uint();
    if (type === BROADCAST_STATELESS) return readOnly ? REFUSED_READ_ONLY_BROADCAST : undefined;
    if (type !== AWARENESS) return undefined;
    return foreignAwareness(reader.bytes(), owners);
  } catch {
    return REFUSED_MALFORMED;
  }
}
