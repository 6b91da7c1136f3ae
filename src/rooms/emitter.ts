/**
 * In-process room-change notifications, shared by every store: an ordered
 * emitter, and the listeners of a store whose change feed (other
 * processes' or instances' changes) runs only while someone listens.
 */
import type { RoomChangeEvent, RevocationEvent } from "./types.js";

/** A room-change listener. */
export type RoomChangeListener = (event: RoomChangeEvent) => void;

/** Options of {@link RoomChangeEmitter}. */
export type RoomChangeEmitterOptions<E = RoomChangeEvent> = {
  /**
   * Called with the error of a listener that threw and the event it was
   * given. Default: rethrow it in a microtask, as `EventTarget` does, so the
   * bug surfaces as an uncaught exception instead of vanishing, while the
   * write that emitted the event and the other listeners are unaffected.
   */
  onListenerError?: (error: unknown, event: E) => void;
};

/**
 * Calls every subscribed listener, in subscription order, with each emitted
 * event. Events reach every listener in the order they were emitted, which
 * is the order the store committed them: an event emitted while another is
 * being delivered (a listener that writes to the store) waits until the
 * current one has reached every listener. A listener that throws never stops
 * the others nor fails the write that emitted: its error goes to
 * `onListenerError` (see {@link RoomChangeEmitterOptions}). Listeners added
 * or removed during an emit take effect from the next event delivered.
 *
 * @example
 * ```ts
 * const emitter = new RoomChangeEmitter();
 * const unsubscribe = emitter.subscribe((event) => console.log(event.type));
 * emitter.emit({ type: "deleted", roomId: "my-room", room: null });
 * unsubscribe();
 * ```
 */
export class RoomChangeEmitter<E = RoomChangeEvent> {
  // Copy-on-write: emit iterates a snapshot without copying it each time.
  #listeners: readonly { readonly listener: (event: E) => void }[] = [];
  readonly #onListenerError: (error: unknown, event: E) => void;
  // Events emitted during a delivery, in commit order; delivered by the
  // outermost emit so no listener sees a newer event before an older one.
  #pending: E[] = [];
  #delivering = false;

  constructor(options: RoomChangeEmitterOptions<E> = {}) {
    this.#onListenerError = options.onListenerError ?? rethrowLater;
  }

  /** The number of current subscriptions. */
  get size(): number {
    return this.#listeners.length;
  }

  /**
   * Adds `listener`; the returned function removes this subscription (and
   * only this one, even if the same function was subscribed twice). Calling
   * it again does nothing.
   */
  subscribe(listener: (event: E) => void): () => void {
    // A wrapper per subscription gives each one its own identity.
    const entry = { listener };
    this.#listeners = [...this.#listeners, entry];
    return () => {
      this.#listeners = this.#listeners.filter((candidate) => candidate !== entry);
    };
  }

  /**
   * Calls every listener with `event`, after any event emitted before it;
   * never throws. Called during a delivery, it only queues `event`.
   */
  emit(event: E): void {
    if (this.#delivering) {
      this.#pending.push(event);
      return;
    }
    this.#delivering = true;
    try {
      this.#deliver(event);
      // The queue may grow while it is drained: a listener that writes again.
      for (let i = 0; i < this.#pending.length; i++) this.#deliver(this.#pending[i]!);
    } finally {
      this.#pending = [];
      this.#delivering = false;
    }
  }

  #deliver(event: E): void {
    for (const { listener } of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        try {
          this.#onListenerError(error, event);
        } catch {
          // An error handler that throws must not break the store either.
        }
      }
    }
  }
}

/** The change feed {@link StoreListeners} runs while there are listeners. */
type ListenedFeed = {
  /**
   * Called at every subscription, so a feed that stopped by itself (a
   * refused stream) is tried again by the next listener: must be idempotent.
   */
  start(): void;
  /** Called when the last listener, of either kind, unsubscribes. */
  stop(): void;
};

/**
 * A store's room-change and revocation listeners, each kind in its own
 * ordered {@link RoomChangeEmitter}, and the change feed that brings other
 * processes' or instances' changes: it runs while anyone listens, from a
 * subscription until the last unsubscribe.
 *
 * @example
 * ```ts
 * const listeners = new StoreListeners({ start: () => feed.start(), stop: () => feed.stop() });
 * const unsubscribe = listeners.subscribe((event) => console.log(event.type)); // the feed starts
 * listeners.rooms.emit({ type: "deleted", roomId: "my-room", room: null });
 * unsubscribe(); // the feed stops
 * ```
 */
export class StoreListeners {
  /** Room-change listeners; emit to it directly. */
  readonly rooms: RoomChangeEmitter;
  /** Revocation listeners; emit to it directly. */
  readonly revocations: RoomChangeEmitter<RevocationEvent> = new RoomChangeEmitter();
  readonly #feed: ListenedFeed;

  /**
   * @param feed What runs while anyone listens.
   * @param options The room-change emitter's options.
   */
  constructor(feed: ListenedFeed, options: RoomChangeEmitterOptions = {}) {
    this.#feed = feed;
    this.rooms = new RoomChangeEmitter(options);
  }

  /** The number of current subscriptions, of both kinds. */
  get size(): number {
    return this.rooms.size + this.revocations.size;
  }

  /** Adds a room-change listener and starts the feed; the returned function removes it (idempotent). */
  subscribe(listener: (event: RoomChangeEvent) => void): () => void {
    return this.#listening(this.rooms.subscribe(listener));
  }

  /** Adds a revocation listener and starts the feed; the returned function removes it (idempotent). */
  subscribeRevocations(listener: (event: RevocationEvent) => void): () => void {
    return this.#listening(this.revocations.subscribe(listener));
  }

  #listening(unsubscribe: () => void): () => void {
    this.#feed.start();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      unsubscribe();
      if (this.size === 0) this.#feed.stop();
    };
  }
}

function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
