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
 * Largest event a client reads, in characters (lines of one block together):
 * a room at every limit is tens of kilobytes, so anything near this is not
 * the server talking, and a reader must not buffer it.
 */
export const MAX_EVENT_CHARS = 1024 * 1024;

/** An event (one line, or the lines of one block) passed the reader's limit. */
export class EventStreamTooLongError extends Error {
  readonly limit: number;

  constructor(limit: number) {
    super(`An event of the stream is longer than ${limit} characters`);
    this.name = "EventStreamTooLongError";
    this.limit = limit;
  }
}

/**
 * Splits decoded text into the stream's blocks as chunks arrive, with SSE's
 * line ends (CRLF, LF or CR; a CRLF may be cut between chunks) and a blank
 * line ending a block. Each chunk is scanned once, so a long line costs
 * linear time; past `limit` characters in one block it throws
 * {@link EventStreamTooLongError} instead of buffering more.
 */
export class EventStreamSplitter {
  readonly #limit: number;
  /** The current line so far, in pieces (joined once it ends). */
  #line: string[] = [];
  /** The complete lines of the current block. */
  #lines: string[] = [];
  /** Characters held: the lines of the current block and the current line. */
  #size = 0;
  /** The last chunk ended with CR: an LF starting the next one belongs to it. */
  #afterCr = false;

  constructor(limit: number = MAX_EVENT_CHARS) {
    this.#limit = limit;
  }

  /** The blocks `text` completes (their lines joined with `\n`, without the blank line). */
  push(text: string): string[] {
    const blocks: string[] = [];
    let start = 0;
    if (this.#afterCr && text.startsWith("\n")) start = 1;
    this.#afterCr = false;
    for (let i = start; i < text.length; i++) {
      const char = text.charCodeAt(i);
      if (char !== 0x0a && char !== 0x0d) continue;
      this.#hold(text.slice(start, i));
      this.#endLine(blocks);
      if (char === 0x0d) {
        if (i + 1 === text.length) this.#afterCr = true;
        else if (text.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
    }
    this.#hold(text.slice(start));
    return blocks;
  }

  #hold(piece: string): void {
    if (piece === "") return;
    this.#size += piece.length;
    if (this.#size > this.#limit) {
      this.#line = [];
      this.#lines = [];
      throw new EventStreamTooLongError(this.#limit);
    }
    this.#line.push(piece);
  }

  #endLine(blocks: string[]): void {
    const line = this.#line.join("");
    this.#line = [];
    if (line !== "") {
      this.#lines.push(line);
      return;
    }
    // A blank line ends the block; blank lines in a row dispatch nothing.
    if (this.#lines.length > 0) blocks.push(this.#lines.join("\n"));
    this.#lines = [];
    this.#size = 0;
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
    const room = roomFromJson(json["room"]);
    // A room answered under another id must never stand in for the one named.
    if (room.id !== roomId) throw new TypeError(`An event for room ${JSON.stringify(roomId)} carries room ${JSON.stringify(room.id)}`);
    return { type: "room", event: { type: json["type"], roomId, room } };
  }
  throw new TypeError(`Unknown event type ${JSON.stringify(json["type"])}`);
}
