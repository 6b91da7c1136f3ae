import { describe, expect, it } from "vitest";
import { MemoryStore, type RoomChangeEvent } from "../../src/index.js";
import { RoomChangeEmitter } from "../../src/rooms/emitter.js";
import { makeLiveblocks } from "../liveblocks/helpers.js";

describe("RoomChangeEmitter", () => {
  // Regression, a re-entrant emit overtaking the event being delivered: an
  // emit from inside a listener reached the later listeners before it.
  it("emit - an event emitted by a listener waits until the current one reached every listener", () => {
    const emitter = new RoomChangeEmitter();
    const seen: string[] = [];
    const event = (roomId: string): RoomChangeEvent => ({ type: "deleted", roomId, room: null });
    emitter.subscribe((e) => {
      seen.push(`a:${e.roomId}`);
      if (e.roomId === "1") emitter.emit(event("2"));
      if (e.roomId === "2") emitter.emit(event("3"));
    });
    emitter.subscribe((e) => seen.push(`b:${e.roomId}`));
    emitter.emit(event("1"));
    expect(seen).toEqual(["a:1", "b:1", "a:2", "b:2", "a:3", "b:3"]);
    // The queue is drained: the next emit is delivered at once.
    emitter.emit(event("4"));
    expect(seen.slice(-2)).toEqual(["a:4", "b:4"]);
  });

  it("emit - a listener that throws while queued events wait neither stops them nor the next emit", () => {
    const errors: unknown[] = [];
    const emitter = new RoomChangeEmitter({ onListenerError: (error) => errors.push(error) });
    const seen: string[] = [];
    emitter.subscribe((e) => {
      if (e.roomId === "1") emitter.emit({ type: "deleted", roomId: "2", room: null });
      throw new Error(`boom ${e.roomId}`);
    });
    emitter.subscribe((e) => seen.push(e.roomId));
    emitter.emit({ type: "deleted", roomId: "1", room: null });
    emitter.emit({ type: "deleted", roomId: "3", room: null });
    expect(seen).toEqual(["1", "2", "3"]);
    expect(errors).toHaveLength(3);
  });
});

describe("onRoomChange", () => {
  // Regression, events out of commit order when a listener writes: a listener
  // that updated the room made the later listeners see the newer grant first
  // and then the older one, so a realtime server trusting `event.room` was
  // left holding the old grant.
  it("events - every listener sees the store's commits in order when a listener writes", async () => {
    const { liveblocks } = makeLiveblocks({ store: new MemoryStore() });
    await liveblocks.createRoom("doc", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
    const first: RoomChangeEvent[] = [];
    const second: RoomChangeEvent[] = [];
    let inner: Promise<unknown> | undefined;
    liveblocks.onRoomChange((event) => {
      first.push(event);
      // A listener that reacts to a downgrade by revoking alice entirely.
      if (inner === undefined) inner = liveblocks.updateRoom("doc", { usersAccesses: { alice: null } });
    });
    liveblocks.onRoomChange((event) => second.push(event));

    const outer = await liveblocks.updateRoom("doc", { usersAccesses: { alice: ["room:read"] } });
    await inner;

    const grants = (events: RoomChangeEvent[]) => events.map((e) => e.room?.usersAccesses.alice ?? null);
    expect(grants(first)).toEqual([["room:read"], null]);
    expect(grants(second)).toEqual([["room:read"], null]);
    // Each write resolves to what it committed, and the last event is what is stored.
    expect(outer.usersAccesses.alice).toEqual(["room:read"]);
    expect((await liveblocks.getRoom("doc")).usersAccesses.alice).toBeUndefined();
  });
});
