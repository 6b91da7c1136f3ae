/**
 * What a y-websocket connection may send, read before `@y/websocket-server`
 * applies it. A message is its type (varUint), then its body:
 * - sync (0): step 1 asks for what the client lacks and always passes; step 2
 *   and update (1, 2) write the document, so a read-only connection's are
 *   dropped (it still receives every update);
 * - awareness (1): presence, the rule every Yjs gate shares: anyone publishes
 *   their own entries, nobody changes another connection's.
 * Other types change nothing on the server and pass.
 */
import { type AwarenessOwners, foreignAwareness, REFUSED_MALFORMED, WireReader } from "../realtime/yjs-wire.js";

const SYNC = 0;
const AWARENESS = 1;
const SYNC_STEP_1 = 0;

/** What to do with a message: apply it, drop it silently, or close the connection with a reason. */
export type Verdict = { kind: "pass" } | { kind: "drop" } | { kind: "close"; reason: string };

const PASS: Verdict = { kind: "pass" };
const DROP: Verdict = { kind: "drop" };

/** The verdict on `message` from a connection that is `readOnly` now. */
export function verdict(message: Uint8Array, readOnly: boolean, owners: AwarenessOwners): Verdict {
  try {
    const reader = new WireReader(message);
    const type = reader.uint();
    if (type === SYNC) return readOnly && reader.uint() !== SYNC_STEP_1 ? DROP : PASS;
    if (type !== AWARENESS) return PASS;
    const reason = foreignAwareness(reader.bytes(), owners);
    return reason === undefined ? PASS : { kind: "close", reason };
  } catch {
    return { kind: "close", reason: REFUSED_MALFORMED };
  }
}
