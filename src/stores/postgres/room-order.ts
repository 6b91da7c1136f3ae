/**
 * Keeps a {@link PostgresStore}'s room events in commit order per room.
 * Own writes are emitted when their `COMMIT` answers and other instances'
 * when the change feed reads them: two paths, so a write's event can reach
 * this process after a later write of the same room was already emitted
 * (another instance's through the feed, or an own one on another pooled
 * connection). Writes of one room are serialised by its row lock (or its
 * unique id) and each logs its change row before committing, so their
 * sequence numbers are in their commit order: an event numbered below the
 * last one emitted for its room is older than what listeners were told, and
 * is replaced by that newer event again, so the room never goes back and
 * every write still gives one event (as the feed does when it reads two
 * quick changes at once: two events showing the later state).
 */
import { cloneRoom } from "../../rooms/patch.js";
import type { RoomChangeEvent } from "../../rooms/types.js";

/**
 * Per room, the last event emitted and its sequence number.
 *
 * @example
 * ```ts
 * const order = new RoomOrder(() => feed.floor);
 * emitter.emit(order.pass(event, seq)); // `event`, or a later one of its room again
 * ```
 */
export class RoomOrder {
  readonly #last = new Map<string, { seq: number; event: RoomChangeEvent }>();
  /** For each own write in flight: the feed's floor when it began (its number will be above it). */
  readonly #inFlight = new Set<{ floor: number }>();
  /** The highest number below which the feed has read every row (see {@link ChangeLogListener.floor}). */
  readonly #feedFloor: () => number;
  readonly #pruneFrom: number;
  #pruneAt: number;

  /**
   * @param feedFloor Every row numbered at or below it has been read by the feed (0 when unknown).
   * @param pruneFrom The number of rooms remembered before the first prune.
   */
  constructor(feedFloor: () => number, pruneFrom = 1024) {
    this.#feedFloor = feedFloor;
    this.#pruneFrom = pruneFrom;
    this.#pruneAt = pruneFrom;
  }

  /** The number of rooms remembered. */
  get size(): number {
    return this.#last.size;
  }

  /**
   * Marks an own write as in flight until the returned function is called
   * (after its event was passed or it failed); idempotent.
   *
   * @example
   * ```ts
   * const done = order.begin();
   * try { seqs = await write(); emit(order.pass(event, seqs[0])); } finally { done(); }
   * ```
   */
  begin(): () => void {
    const entry = { floor: this.#feedFloor() };
    this.#inFlight.add(entry);
    return () => this.#inFlight.delete(entry);
  }

  /**
   * The event to emit for change `seq`: `event`, or, when a later change of
   * its room was emitted already, that change's event again (with a copy of
   * its room).
   */
  pass(event: RoomChangeEvent, seq: number): RoomChangeEvent {
    const last = this.#last.get(event.roomId);
    if (last !== undefined && seq < last.seq) {
      return last.event.room === null ? last.event : { ...last.event, room: cloneRoom(last.event.room) };
    }
    this.#last.set(event.roomId, { seq, event });
    if (this.#last.size >= this.#pruneAt) this.#prune();
    return event;
  }

  /**
   * Forgets rooms whose last number no future event can be below: the feed
   * delivers only rows above its floor, and an own write in flight takes a
   * number above the feed's floor when it began.
   */
  #prune(): void {
    let floor = this.#feedFloor();
    for (const entry of this.#inFlight) floor = Math.min(floor, entry.floor);
    for (const [roomId, last] of this.#last) if (last.seq <= floor) this.#last.delete(roomId);
    this.#pruneAt = Math.max(this.#pruneFrom, this.#last.size * 2);
  }
}
