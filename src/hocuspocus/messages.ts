/**
 * What a connection may send, read off the Hocuspocus wire before Hocuspocus
 * applies it. Hocuspocus' read-only connection blocks document updates only;
 * presence and broadcasts need rules of their own:
 * - presence (awareness): anyone who may enter publishes their own, as
 *   Liveblocks lets every user with read access have presence; nobody may
 *   set or erase the awareness entry of another connection (providers echo
 *   other clients' entries back unchanged, at the same clock: that changes
 *   nothing and passes);
 * - broadcasts to every connection of the document (`BroadcastStateless`)
 *   write to others, so they need write access.
 * The wire format is lib0's: a message is the document name (varString), the
 * message type (varUint), then its body; an awareness body is a varUint8Array
 * holding a count, then per entry a client id, a clock (varUint) and a state
 * (varString).
 */

/** Hocuspocus' message types this gate reads. */
const AWARENESS = 1;
const BROADCAST_STATELESS = 6;

/** Why a message was refused, as a close reason. */
export const REFUSED_FOREIGN_AWARENESS = "roomgate: a connection may only change its own presence";
export const REFUSED_READ_ONLY_BROADCAST = "roomgate: a read-only connection may not broadcast";
export const REFUSED_MALFORMED = "roomgate: malformed message";

/** What the gate asks of the document a message is for. */
export type AwarenessOwners = {
  /**
   * Would an entry for `clientId` at `clock` (`erases`: with a null state)
   * change an awareness entry that another connection (or the server) holds?
   */
  changesForeign(clientId: number, clock: number, erases: boolean): boolean;
};

/** `null` as lib0 writes it in a varString: the state of an erased entry. */
const NULL_STATE = [0x6e, 0x75, 0x6c, 0x6c];

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
    const update = new WireReader(reader.bytes());
    const count = update.uint();
    for (let i = 0; i < count; i++) {
      const clientId = update.uint();
      const clock = update.uint();
      const state = update.bytes();
      const erases = state.length === NULL_STATE.length && NULL_STATE.every((byte, i) => state[i] === byte);
      if (owners.changesForeign(clientId, clock, erases)) return REFUSED_FOREIGN_AWARENESS;
    }
    return undefined;
  } catch {
    return REFUSED_MALFORMED;
  }
}

/** A bounded reader of lib0's variable-length encoding; throws past the end. */
class WireReader {
  #bytes: Uint8Array;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** A varUint up to 2^53 (lib0 writes 7 bits a byte, low first, high bit = more). */
  uint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.#byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new RangeError("varUint too long");
  }

  /** A varUint8Array (or varString): a length, then that many bytes. */
  bytes(): Uint8Array {
    const length = this.uint();
    if (length > this.#bytes.length - this.#at) throw new RangeError("length past the end");
    const out = this.#bytes.subarray(this.#at, this.#at + length);
    this.#at += length;
    return out;
  }

  skipBytes(): void {
    this.bytes();
  }

  #byte(): number {
    if (this.#at >= this.#bytes.length) throw new RangeError("past the end");
    return this.#bytes[this.#at++]!;
  }
}
