/**
 * Reading the Yjs wire (lib0's encoding) before a server applies a message,
 * shared by every gate in front of a Yjs server (Hocuspocus, y-websocket).
 * Presence (awareness) has one rule everywhere: anyone who may enter
 * publishes their own, as Liveblocks lets every user with read access have
 * presence; nobody may set or erase the awareness entry of another
 * connection (providers echo other clients' entries back unchanged, at the
 * same clock: that changes nothing and passes). An awareness body is a
 * count, then per entry a client id, a clock (varUint) and a state
 * (varString).
 */

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
 * {@link REFUSED_FOREIGN_AWARENESS} if the awareness update `body` changes
 * another connection's entry, else `undefined`. Throws on a malformed body.
 */
export function foreignAwareness(body: Uint8Array, owners: AwarenessOwners): string | undefined {
  const update = new WireReader(body);
  const count = update.uint();
  for (let i = 0; i < count; i++) {
    const clientId = update.uint();
    const clock = update.uint();
    const state = update.bytes();
    const erases = state.length === NULL_STATE.length && NULL_STATE.every((byte, i) => state[i] === byte);
    if (owners.changesForeign(clientId, clock, erases)) return REFUSED_FOREIGN_AWARENESS;
  }
  return undefined;
}

/**
 * The usual {@link AwarenessOwners} over y-protocols' `Awareness`: an entry
 * is foreign when it is held, not one of `own`, and y-protocols would apply
 * it (a later clock, or a same-clock erase of a held entry).
 */
export function awarenessOwners(
  awareness: { getStates(): ReadonlyMap<number, unknown>; meta: ReadonlyMap<number, { clock: number }> },
  own: { has(clientId: number): boolean },
): AwarenessOwners {
  return {
    changesForeign(clientId, clock, erases) {
      if (!awareness.getStates().has(clientId) || own.has(clientId)) return false;
      const current = awareness.meta.get(clientId)?.clock ?? 0;
      return clock > current || (clock === current && erases);
    },
  };
}

/** A bounded reader of lib0's variable-length encoding; throws past the end. */
export class WireReader {
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
