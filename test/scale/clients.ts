/**
 * The clients of the scale-out test: a raw reader of `GET /v2/room-events`
 * (what a realtime server elsewhere holds open) and the bookkeeping of
 * writers that remember what was acknowledged.
 */
import { EventStreamSplitter, decodeBlock } from "../../src/protocol/event-stream.js";
import type { RoomChangeEvent } from "../../src/rooms/types.js";

export type EventReader = {
  /** The balancer's backend that serves this stream. */
  backend: number;
  events: RoomChangeEvent[];
  /** Set when the stream ended or failed (not by `close`). */
  ended: boolean;
  close(): void;
};

/**
 * Opens `GET <base>/v2/room-events` and resolves once the server says it is
 * subscribed (so every write after that must reach it), within 10 s.
 */
export async function openEventReader(base: string, secret: string): Promise<EventReader> {
  const abort = new AbortController();
  const response = await fetch(`${base}/v2/room-events`, {
    headers: { authorization: `Bearer ${secret}`, accept: "text/event-stream" },
    signal: AbortSignal.any([abort.signal, AbortSignal.timeout(120_000)]),
  });
  if (response.status !== 200 || response.body === null) throw new Error(`room-events answered ${response.status}`);
  const reader: EventReader = {
    backend: Number(response.headers.get("x-backend")),
    events: [],
    ended: false,
    close: () => abort.abort(),
  };
  let markSubscribed!: () => void;
  const subscribed = new Promise<void>((resolve) => (markSubscribed = resolve));
  void (async () => {
    const decoder = new TextDecoder();
    const splitter = new EventStreamSplitter();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        for (const block of splitter.push(decoder.decode(chunk, { stream: true }))) {
          const message = decodeBlock(block);
          if (message.type === "subscribed") markSubscribed();
          else if (message.type === "room") {
            reader.events.push(message.event);
          }
        }
      }
    } catch {
      // Cut (the backend died) or closed by the test: either way it ended.
    }
    if (!abort.signal.aborted) reader.ended = true;
  })();
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("room-events did not subscribe in 10 s")), 10_000).unref(),
  );
  await Promise.race([subscribed, timeout]);
  return reader;
}

/** What the writers sent and what was acknowledged, per `room key`. */
export class WriteLog {
  /** Highest value acknowledged (a resolved SDK call). */
  readonly acked = new Map<string, number>();
  /** Every value acknowledged. */
  readonly ackedAll = new Map<string, number[]>();
  /** Highest value sent, acknowledged or not. */
  readonly attempted = new Map<string, number>();
  failures = 0;

  static key(roomId: string, key: string): string {
    return `${roomId} ${key}`;
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
