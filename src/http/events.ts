/**
 * `GET /v2/room-events` (roomgate's own route): the server's room changes as
 * server-sent events, so a `RestStore` on another instance can tell its
 * `onRoomChange` listeners about writes it did not make.
 */
import type { Liveblocks } from "../liveblocks/client.js";
import { EVENT_STREAM_TYPE, HEARTBEAT, HEARTBEAT_MS, SUBSCRIBED, encodeRevocation, encodeRoomEvent } from "../protocol/event-stream.js";

/**
 * Bytes a slow reader may leave unread before its stream is closed: events
 * are never dropped silently, the reader reconnects and knows it missed some.
 */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * The event stream of `liveblocks`: a `: connected` comment once subscribed,
 * then one `data: {"type","roomId","room"}` event per change (`room` in the
 * REST API's JSON, `null` after a delete), in the order the store emits them,
 * and one `data: {"type":"revoked","userId","issuedBefore"}` per revocation.
 * The subscription ends when the request aborts or the reader cancels.
 *
 * @param context.liveblocks Whose changes to send.
 * @param context.request Its `signal` ends the stream.
 * @example
 * ```ts
 * { pattern: ["v2", "room-events"], methods: { GET: roomEvents } }
 * ```
 */
export async function roomEvents(context: {
  liveblocks: Liveblocks;
  /** Only its `signal` is read: any request shape that carries one will do. */
  request: { readonly signal: AbortSignal };
}): Promise<Response> {
  return new Response(roomEventStream(context.liveblocks, context.request.signal), {
    headers: {
      "content-type": `${EVENT_STREAM_TYPE}; charset=utf-8`,
      "cache-control": "no-store",
      // Tells nginx not to buffer the stream.
      "x-accel-buffering": "no",
    },
  });
}

/**
 * The body of {@link roomEvents}, apart so it can be read without a request.
 *
 * @example
 * ```ts
 * const body = roomEventStream(liveblocks, AbortSignal.timeout(60_000));
 * ```
 */
export function roomEventStream(liveblocks: Liveblocks, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let stop = (): void => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const send = (text: string): void => {
          const desired = controller.desiredSize;
          if (desired !== null && desired < -MAX_BUFFERED_BYTES) {
            stop();
            controller.error(new Error("The reader fell too far behind."));
            return;
          }
          controller.enqueue(encoder.encode(text));
        };
        const unsubscribeRooms = liveblocks.onRoomChange((event) => send(encodeRoomEvent(event)));
        const unsubscribeRevocations = liveblocks.onTokensRevoked((event) => send(encodeRevocation(event)));
        const unsubscribe = () => {
          unsubscribeRooms();
          unsubscribeRevocations();
        };
        const heartbeat = setInterval(() => send(HEARTBEAT), HEARTBEAT_MS);
        // The heartbeat alone must not keep a process alive.
        heartbeat.unref?.();
        stop = () => {
          unsubscribe();
          clearInterval(heartbeat);
          signal.removeEventListener("abort", onAbort);
        };
        const onAbort = (): void => {
          stop();
          try {
            controller.close();
          } catch {
            // Already closed or errored.
          }
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        send(SUBSCRIBED);
      },
      cancel() {
        stop();
      },
    },
    // Measured in bytes, so desiredSize is minus the bytes waiting for the reader.
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
}
