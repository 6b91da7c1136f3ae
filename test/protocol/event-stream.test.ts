import { describe, expect, it } from "vitest";
import {
  EventStreamSplitter,
  EventStreamTooLongError,
  HEARTBEAT,
  SUBSCRIBED,
  decodeBlock,
  encodeRevocation,
  encodeRoomEvent,
} from "../../src/protocol/event-stream.js";
import type { RoomData } from "../../src/rooms/types.js";

const ROOM: RoomData = {
  type: "room",
  id: "a/b",
  createdAt: new Date(Date.UTC(2026, 0, 1)),
  organizationId: "default",
  defaultAccesses: ["room:read"],
  usersAccesses: Object.assign(Object.create(null), { alice: ["room:write"] }),
  groupsAccesses: Object.create(null),
  metadata: Object.create(null),
};

/** Every block of `text`, decoded. */
function decodeAll(text: string) {
  return new EventStreamSplitter().push(text).map(decodeBlock);
}

describe("event stream codec", () => {
  it("encode / decode - what the server writes the client reads back, in order", () => {
    const text =
      SUBSCRIBED +
      encodeRoomEvent({ type: "created", roomId: "a/b", room: ROOM }) +
      HEARTBEAT +
      encodeRoomEvent({ type: "deleted", roomId: "a/b", room: null }) +
      encodeRevocation({ userId: "alice", issuedBefore: 1_700_000_000_000 });
    expect(decodeAll(text)).toEqual([
      { type: "subscribed" },
      { type: "room", event: { type: "created", roomId: "a/b", room: ROOM } },
      { type: "heartbeat" },
      { type: "room", event: { type: "deleted", roomId: "a/b", room: null } },
      { type: "revoked", event: { userId: "alice", issuedBefore: 1_700_000_000_000 } },
    ]);
  });

  it("encode - one data line of JSON per event, the room in the REST API's JSON", () => {
    expect(encodeRoomEvent({ type: "deleted", roomId: "r", room: null })).toBe('data: {"type":"deleted","roomId":"r","room":null}\n\n');
    expect(encodeRevocation({ userId: "u", issuedBefore: 5 })).toBe('data: {"type":"revoked","userId":"u","issuedBefore":5}\n\n');
  });

  it("splitter - a block cut across chunks is whole once its end arrives", () => {
    const splitter = new EventStreamSplitter();
    const text = encodeRoomEvent({ type: "deleted", roomId: "r", room: null });
    expect(splitter.push(text.slice(0, 10))).toEqual([]);
    expect(splitter.push(text.slice(10, -1))).toEqual([]);
    expect(splitter.push(text.slice(-1) + ": con")).toEqual([text.slice(0, -2)]);
    expect(splitter.push("nected\n\n")).toEqual([": connected"]);
  });

  it("decode - `data:` without a space and data split over lines are read as SSE reads them", () => {
    expect(decodeBlock('data:{"type":"deleted",\ndata:"roomId":"r","room":null}')).toEqual({
      type: "room",
      event: { type: "deleted", roomId: "r", room: null },
    });
  });

  it("decode - data that is not an event this format writes throws", () => {
    expect(() => decodeBlock("data: not json")).toThrow(SyntaxError);
    expect(() => decodeBlock('data: {"type":"created"}')).toThrow(/roomId/);
    expect(() => decodeBlock('data: {"type":"moved","roomId":"r"}')).toThrow(/Unknown event type "moved"/);
    expect(() => decodeBlock('data: {"type":"revoked","userId":"u","issuedBefore":1.5}')).toThrow(/issuedBefore/);
    expect(() => decodeBlock('data: {"type":"created","roomId":"r","room":{}}')).toThrow(TypeError);
  });
});

describe("event stream parsing (hardening, round two: item 8)", () => {
  it("splitter - CRLF, LF and CR all end lines, as SSE defines them, even split across chunks", () => {
    expect(new EventStreamSplitter().push(": connected\r\n\r\n")).toEqual([": connected"]);
    expect(new EventStreamSplitter().push(": connected\r\r")).toEqual([": connected"]);
    const splitter = new EventStreamSplitter();
    // A CRLF cut between two chunks is one line end, not two.
    expect(splitter.push(": connected\r")).toEqual([]);
    expect(splitter.push("\n\r")).toEqual([": connected"]);
    expect(splitter.push("\ndata: {}\r\n\n")).toEqual(["data: {}"]);
    expect(decodeAll(": connected\r\n\r\n: ping\r\n\r\n").map((m) => m.type)).toEqual(["subscribed", "heartbeat"]);
  });

  it("splitter - a line over the limit throws as soon as it passes it, without waiting for its end", () => {
    const splitter = new EventStreamSplitter(1000);
    expect(splitter.push("data: " + "x".repeat(900))).toEqual([]);
    expect(() => splitter.push("x".repeat(200))).toThrow(EventStreamTooLongError);
  });

  it("splitter - a block of many short lines over the limit throws too", () => {
    const splitter = new EventStreamSplitter(1000);
    expect(() => {
      for (let i = 0; i < 200; i++) splitter.push("data: xxxxxxxx\n");
    }).toThrow(EventStreamTooLongError);
  });

  it("splitter - one long line pushed a byte at a time costs linear time, not a rescan per chunk", () => {
    const splitter = new EventStreamSplitter(1024 * 1024);
    const started = performance.now();
    splitter.push("data: ");
    for (let i = 0; i < 100_000; i++) splitter.push("x");
    expect(splitter.push("\n\n")).toEqual(["data: " + "x".repeat(100_000)]);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it("decode - a room event whose room has another id than the event's is refused", () => {
    const event = encodeRoomEvent({ type: "created", roomId: "a/b", room: ROOM }).replace('"roomId":"a/b"', '"roomId":"other"');
    expect(() => decodeAll(event)).toThrow(/"other"/);
  });
});
