/**
 * The client half of roomgate's `GET /v2/room-events`: one long-lived
 * server-sent-events request per `RestStore` while it has listeners, turned
 * back into `RoomChangeEvent`s, reconnecting with backoff when it drops.
 */
import { backoff, type TransportOptions, urlOf } from "./transport.js";
import type { RevocationEvent, RoomChangeEvent } from "../../rooms/types.js";
import { EVENT_STREAM_TYPE, type EventStreamMessage, EventStreamSplitter, HEARTBEAT_MS, decodeBlock } from "../../protocol/event-stream.js";
import { PATHS } from "../../protocol/paths.js";
import { raceSignal } from "../../runtime/signal.js";

/** Three heartbeats missed means the connection is dead. */
const SILENCE_MS = 3 * HEARTBEAT_MS;

/**
 * A connection that stayed subscribed this long was healthy: the next drop
 * retries from the first backoff step. A shorter one (a server that accepts
 * and closes at once) keeps backing off, so a flapping server is not hammered.
 */
const STABLE_MS = 2 * HEARTBEAT_MS;

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
  /** The current attempt: `true` once subscribed, `false` once it failed (and while backing off). */
  #ready: Promise<boolean> = Promise.resolve(false);

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
   * Resolves `true` when the stream is subscribed (a write sent now will be
   * heard on it), `false` when the current attempt failed or the stream is
   * backing off (waiting longer would not help). An attempt gets `timeoutMs`
   * to subscribe, so this never waits longer than that; it rejects with the
   * reason of `signal` as soon as it aborts.
   */
  ready(signal: AbortSignal | undefined): Promise<boolean> {
    return raceSignal(this.#ready, signal);
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
      let markReady!: (subscribed: boolean) => void;
      this.#ready = new Promise((resolve) => (markReady = resolve));
      let subscribedAt: number | undefined;
      try {
        await this.#connect(stop, () => {
          subscribedAt = this.#transport.now();
          markReady(true);
        });
      } catch (error) {
        if (stop.aborted) break;
        this.#report(error);
        // A route that is missing, refuses our secret or redirects will not come back by itself.
        if (error instanceof EventsRefusedError) {
          if (this.#stop?.signal === stop) this.#stop = undefined;
          break;
        }
      } finally {
        markReady(false);
        this.#ready = Promise.resolve(false);
      }
      if (stop.aborted) break;
      if (subscribedAt !== undefined && this.#transport.now() - subscribedAt >= STABLE_MS) failures = 0;
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
    let failure: Error | undefined;
    const fail = (error: Error) => {
      failure ??= error;
      attempt.abort();
    };
    const path = PATHS.roomEvents;
    const silent = () => fail(new Error(`GET ${path} was silent for ${SILENCE_MS} ms`));
    let silence = setTimeout(silent, SILENCE_MS);
    // A server that never says it is subscribed (only heartbeats, a buffering proxy) holds no write for long.
    const timeoutMs = this.#transport.timeoutMs;
    let unsubscribed: ReturnType<typeof setTimeout> | undefined = setTimeout(
      () => fail(new Error(`GET ${path} did not send ": connected" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const subscribed = () => {
      clearTimeout(unsubscribed);
      unsubscribed = undefined;
      onSubscribed();
    };
    try {
      const response = await fetch(urlOf(this.#transport.baseUrl, path), {
        headers: { authorization: `Bearer ${this.#transport.secret}`, accept: EVENT_STREAM_TYPE },
        signal: attempt.signal,
        redirect: "manual",
      });
      if (response.status !== 200 || response.body === null) {
        await response.body?.cancel();
        if (isRedirect(response)) {
          throw new EventsRefusedError(`GET ${path} answered a redirect (${response.status}), not followed; server events stay off`);
        }
        const message = `GET ${path} answered ${response.status}`;
        const permanent = response.status >= 400 && response.status < 500 && response.status !== 429;
        throw permanent ? new EventsRefusedError(`${message}; server events stay off`) : new Error(message);
      }
      const decoder = new TextDecoder();
      const splitter = new EventStreamSplitter();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(silence);
        silence = setTimeout(silent, SILENCE_MS);
        // A line past the splitter's limit throws: the connection ends and is made again.
        for (const block of splitter.push(decoder.decode(chunk, { stream: true }))) this.#dispatch(block, subscribed);
      }
      throw new Error(`GET ${path} ended`);
    } catch (error) {
      throw failure ?? error;
    } finally {
      clearTimeout(silence);
      clearTimeout(unsubscribed);
      stop.removeEventListener("abort", abort);
      // Whatever ended the loop, the connection is not left open.
      attempt.abort();
    }
  }

  #dispatch(block: string, onSubscribed: () => void): void {
    let message: EventStreamMessage;
    try {
      message = decodeBlock(block);
    } catch (error) {
      this.#report(error);
      return;
    }
    if (message.type === "subscribed") onSubscribed();
    else if (message.type === "room") this.#emit.room(message.event);
    else if (message.type === "revoked") this.#emit.revoked(message.event);
  }

  /** Tells `onGap`; an application handler that throws must not end the stream or the process. */
  #report(error: unknown): void {
    try {
      this.#onGap(error);
    } catch {
      // Nothing better to do with it: the gap was the news, and it was delivered.
    }
  }
}

/** A 3xx (or, where `fetch` hides it, an opaque redirect): the answer is elsewhere, and elsewhere is not asked. */
function isRedirect(response: Response): boolean {
  return response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400);
}

/** Where a {@link RoomEventStream} delivers what it reads. */
type RoomEventSinks = {
  room: (event: RoomChangeEvent) => void;
  revoked: (event: RevocationEvent) => void;
};

/** The server refused the event stream (no such route, wrong secret, a redirect): retrying will not help. */
class EventsRefusedError extends Error {
  override name = "EventsRefusedError";
}
