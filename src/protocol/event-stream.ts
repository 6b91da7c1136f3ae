/**
 * The wire format of `GET /v2/room-events` (roomgate's own route), written
 * once for the server that writes it (`roomgate/http`) and the client that
 * reads it (`RestStore`): server-sent events, a `: connected` comment once the
 * server is subscribed, a `: ping` comment as a heartbeat, and one
 * `data: <JSON>` event per room change or revocation.
 */
import type { RevocationEvent, RoomChangeEvent } from "../rooms/types.js";
import { roomFromJson, roomToJson } from "./room-json.js";

/** The media type the client asks for and the server answers with. */
export const EVENT_STREAM_TYPE = "text/event-stream";

/** A heartbeat comment every this often keeps proxies from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;

/** Sent once the server is subscribed: a write made after it is heard. */
export const SUBSCRIBED = ": connected\n\n";

/** The heartbeat comment. */
export const HEARTBEAT = ": ping\n\n";

/** One message of the stream, as a client reads it. */
export type EventStreamMessage =
  { type: "subscribed" } | { type: "heartbeat" } | { type: "room"; event: RoomChangeEvent } | { type: "revoked"; event: RevocationEvent };

/** A room change as one event: `{"type","roomId","room"}`, `room` in the REST API's JSON, `null` after a delete. */
export function encodeRoomEvent(event: RoomChangeEvent): string {
  const room = event.room === null ? null : roomToJson(event.room);
  return `data: ${JSON.stringify({ type: event.type, roomId: event.roomId, room })}\n\n`;
}

/** A revocation as one event: `{"type":"revoked","userId","issuedBefore"}`. */
export function encodeRevocation({ userId, issuedBefore }: RevocationEvent): string {
  return `data: ${JSON.stringify({ type: "revoked", userId, issuedBefore })}\n\n`;
}

/**
 * Splits decoded text into the stream's blocks as chunks arrive: a block may
 * span chunks, and a chunk may end mid-block.
 */
export class EventStreamSplitter {
  #buffer = "";

  /** The blocks `text` completes (without their blank-line terminator). */
  push(text: string): string[] {
    this.#buffer += text;
    const blocks: string[] = [];
    let end: number;
    while ((end = this.#buffer.indexOf("\n\n")) !== -1) {
      blocks.push(this.#buffer.slice(0, end));
      this.#buffer = this.#buffer.slice(end + 2);
    }
    return blocks;
  }
}

/**
 * One block of the stream as a message. Throws (a `SyntaxError` or
 * `TypeError`) for data that is not an event this format writes, so the
 * reader can report it and go on with the next block.
 */
export function decodeBlock(block: string): EventStreamMessage {
  if (block === SUBSCRIBED.slice(0, -2)) return { type: "subscribed" };
  const data = block
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5))
    .join("\n");
  // Comments (the heartbeat, or any other) carry no data.
  if (data === "") return { type: "heartbeat" };
  const json = JSON.parse(data) as Record<string, unknown>;
  if (json["type"] === "revoked") {
    const { userId, issuedBefore } = json;
    if (typeof userId !== "string" || !Number.isSafeInteger(issuedBefore)) {
      throw new TypeError('A "revoked" event needs a string "userId" and an integer "issuedBefore"');
    }
    return { type: "revoked", event: { userId, issuedBefore: issuedBefore as number } };
  }
  const roomId = json["roomId"];
  if (typeof roomId !== "string") throw new TypeError('An event needs a string "roomId"');
  if (json["type"] === "deleted") return { type: "room", event: { type: "deleted", roomId, room: null } };
  if (json["type"] === "created" || json["type"] === "updated") {
    return { type: "room", event: { type: json["type"], roomId, room: roomFromJson(json["room"]) } };
  }
  throw new TypeError(`Unknown event type ${JSON.stringify(json["type"])}`);
}
