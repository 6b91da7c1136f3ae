import { describe, expect, it } from "vitest";
import { roomEventStream, roomEvents } from "../../src/http/events.js";
import { Liveblocks } from "../../src/liveblocks/index.js";
import { roomToJson } from "../../src/protocol/room-json.js";

const SECRET = "sk_test_0123456789abcdefghijklmnopqrstuv";

/** A Liveblocks whose current number of onRoomChange subscriptions is observable. */
function counted() {
  let t = Date.UTC(2024, 0, 1);
  const liveblocks = new Liveblocks({ secret: SECRET, now: () => (t += 1000) });
  const state = { subscribers: 0 };
  const original = liveblocks.onRoomChange.bind(liveblocks);
  liveblocks.onRoomChange = (listener) => {
    state.subscribers++;
    const stop = original(listener);
    return () => {
      state.subscribers--;
      stop();
    };
  };
  return { liveblocks, state };
}

async function readText(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const { value } = await reader.read();
  return new TextDecoder().decode(value);
}

describe("roomEvents", () => {
  it("roomEvents - an event stream: connected first, then one data line per change in order", async () => {
    const { liveblocks } = counted();
    const response = await roomEvents({ liveblocks, request: new Request("http://x/v2/room-events") });
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = response.body!.getReader();
    expect(await readText(reader)).toBe(": connected\n\n");
    const room = await liveblocks.createRoom("a/b", { defaultAccesses: [] });
    await liveblocks.deleteRoom("a/b");
    expect(await readText(reader)).toBe(`data: ${JSON.stringify({ type: "created", roomId: "a/b", room: roomToJson(room) })}\n\n`);
    expect(await readText(reader)).toBe(`data: {"type":"deleted","roomId":"a/b","room":null}\n\n`);
    await reader.cancel();
  });

  it("roomEventStream - an aborted request closes the stream and releases the subscription", async () => {
    const { liveblocks, state } = counted();
    const controller = new AbortController();
    const reader = roomEventStream(liveblocks, controller.signal).getReader();
    await readText(reader);
    expect(state.subscribers).toBe(1);
    controller.abort();
    expect(state.subscribers).toBe(0);
    expect((await reader.read()).done).toBe(true);
  });

  it("roomEventStream - a cancelled reader releases the subscription", async () => {
    const { liveblocks, state } = counted();
    const reader = roomEventStream(liveblocks, new AbortController().signal).getReader();
    await readText(reader);
    await reader.cancel();
    expect(state.subscribers).toBe(0);
  });

  it("roomEventStream - a reader more than 4 MiB behind is cut off, not buffered without bound", async () => {
    const { liveblocks, state } = counted();
    const reader = roomEventStream(liveblocks, new AbortController().signal).getReader();
    await readText(reader);
    const metadata = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v".repeat(256)]));
    // About 14 kB per event: 400 events are well past 4 MiB.
    for (let i = 0; i < 400; i++) await liveblocks.createRoom(`r${i}`, { defaultAccesses: [], metadata });
    expect(state.subscribers).toBe(0);
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return;
      })(),
    ).rejects.toThrow("The reader fell too far behind.");
  });
});
