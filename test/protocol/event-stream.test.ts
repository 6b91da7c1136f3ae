import { describe, expect, it } from "vitest";
import {
  EventStreamSplitter,
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
