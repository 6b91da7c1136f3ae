/**
 * The client half of roomgate's `GET /v2/room-events`: one long-lived
 * server-sent-events request per `RestStore` while it has listeners, turned
 * back into `RoomChangeEvent`s, reconnecting with backoff when it drops.
 */
import { backoff, type TransportOptions, urlOf } from "./transport.js";
import type { RevocationEvent, RoomChangeEvent } from "../../rooms/types.js";
import { EVENT_STREAM_TYPE, type EventStreamMessage, EventStreamSplitter, HEARTBEAT_MS, decodeBlock } from "../../protocol/event-stream.js";
import { PATHS } from "../../protocol/paths.js";

/** Three heartbeats missed means the connection is dead. */
const SILENCE_MS = 3 * HEARTBEAT_MS;

/**
 * One subscription to the server's room changes. Events that happen while it
 * is reconnecting are not replayed: `onGap` is told, so a listener can
 * re-read what it cares about.
 * @internal
 */
export class RoomEventStream {
  readonly #transport: TransportOptions;
  readonly #emit: RoomEventSinks;
  readonly #onGap: (error: unknown) => void;
  #stop: AbortController | undefined;
  /** Settles once the current connection attempt is subscribed or has failed. */
  #settled: Promise<void> = Promise.resolve();

  constructor(transport: TransportOptions, emit: RoomEventSinks, onGap: (error: unknown) => void) {
    this.#transport = transport;
    this.#emit = emit;
    this.#onGap = onGap;
  }

  /** Whether the stream is wanted (between `start` and `stop`). */
  get running(): boolean {
    return this.#stop !== undefined;
  }

  /**
   * Resolves when the current connection attempt is subscribed (so a write
   * sent now will be heard) or has failed (so waiting longer would not help).
   */
  settled(): Promise<void> {
    return this.#settled;
  }

  /** Opens the stream and keeps it open until `stop`. */
  start(): void {
    if (this.#stop !== undefined) return;
    const stop = new AbortController();
    this.#stop = stop;
    void this.#run(stop.signal);
  }

  /** Closes the stream; no more events are emitted. */
  stop(): void {
    this.#stop?.abort();
    this.#stop = undefined;
  }

  async #run(stop: AbortSignal): Promise<void> {
    for (let failures = 0; !stop.aborted;) {
      let markSettled!: () => void;
      this.#settled = new Promise((resolve) => (markSettled = resolve));
      try {
        await this.#connect(stop, () => {
          failures = 0;
          markSettled();
        });
      } catch (error) {
        if (stop.aborted) break;
        this.#onGap(error);
        // A route that is missing or refuses our secret will not come back by itself.
        if (error instanceof EventsRefusedError) {
          if (this.#stop?.signal === stop) this.#stop = undefined;
          break;
        }
      } finally {
        markSettled();
      }
      if (stop.aborted) break;
      try {
        await this.#transport.sleep(backoff(this.#transport, failures++), stop);
      } catch {
        break;
      }
    }
  }

  /** One connection: resolves or rejects when it ends. */
  async #connect(stop: AbortSignal, onSubscribed: () => void): Promise<void> {
    const attempt = new AbortController();
    const abort = () => attempt.abort();
    stop.addEventListener("abort", abort, { once: true });
    let silence = setTimeout(abort, SILENCE_MS);
    try {
      const response = await fetch(urlOf(this.#transport.baseUrl, PATHS.roomEvents), {
        headers: { authorization: `Bearer ${this.#transport.secret}`, accept: EVENT_STREAM_TYPE },
        signal: attempt.signal,
      });
      if (response.status !== 200 || response.body === null) {
        await response.body?.cancel();
        const message = `GET ${PATHS.roomEvents} answered ${response.status}`;
        const permanent = response.status >= 400 && response.status < 500 && response.status !== 429;
        throw permanent ? new EventsRefusedError(`${message}; server events stay off`) : new Error(message);
      }
      const decoder = new TextDecoder();
      const splitter = new EventStreamSplitter();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(silence);
        silence = setTimeout(abort, SILENCE_MS);
        for (const block of splitter.push(decoder.decode(chunk, { stream: true }))) this.#dispatch(block, onSubscribed);
      }
      throw new Error(`GET ${PATHS.roomEvents} ended`);
    } finally {
      clearTimeout(silence);
      stop.removeEventListener("abort", abort);
    }
  }

  #dispatch(block: string, onSubscribed: () => void): void {
    let message: EventStreamMessage;
    try {
      message = decodeBlock(block);
    } catch (error) {
      this.#onGap(error);
      return;
    }
    if (message.type === "subscribed") onSubscribed();
    else if (message.type === "room") this.#emit.room(message.event);
    else if (message.type === "revoked") this.#emit.revoked(message.event);
  }
}

/** Where a {@link RoomEventStream} delivers what it reads. */
type RoomEventSinks = {
  room: (event: RoomChangeEvent) => void;
  revoked: (event: RevocationEvent) => void;
};

/** The server refused the event stream (no such route, wrong secret): retrying will not help. */
class EventsRefusedError extends Error {
  override name = "EventsRefusedError";
}
