/** The presence registry gates report to: events in order, ids never reused, failing listeners isolated. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PresenceEvent } from "../../src/index.js";
import { T0, makeLiveblocks } from "./helpers.js";

describe("presence", () => {
  it("enter / leave - events in order with the instance's clock, counts after each event, leave idempotent", async () => {
    const { liveblocks, clock } = makeLiveblocks();
    const events: PresenceEvent[] = [];
    const stop = liveblocks.subscribePresence((event) => events.push(event));
    const a = liveblocks.presence.enter({ roomId: "r", userId: "ada", userInfo: { name: "Ada" } });
    clock.now = T0 + 1000;
    const b = liveblocks.presence.enter({ roomId: "r", userId: null });
    a.leave();
    a.leave();
    expect(events.map((e) => [e.type, e.userId, e.numActiveUsers, e.at.getTime()])).toEqual([
      ["userEntered", "ada", 1, T0],
      ["userEntered", null, 2, T0 + 1000],
      ["userLeft", "ada", 1, T0 + 1000],
    ]);
    expect(events[0]).toMatchObject({ roomId: "r", connectionId: a.connectionId, userInfo: { name: "Ada" } });
    expect(events[1]!.userInfo).toBeNull();
    stop();
    b.leave();
    expect(events).toHaveLength(3);
    expect(liveblocks.presence.size).toEqual({ connections: 0, rooms: 0, listeners: 0 });
  });

  it("enter - connection ids are positive and never reused, across rooms and instances", () => {
    const one = makeLiveblocks().liveblocks;
    const two = makeLiveblocks().liveblocks;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.constantFrom("a", "b", "c"), fc.boolean()), { maxLength: 50 }), (steps) => {
        const seen = new Set<number>();
        for (const [first, roomId, leave] of steps) {
          const ticket = (first ? one : two).presence.enter({ roomId, userId: "u" });
          expect(ticket.connectionId).toBeGreaterThan(0);
          expect(seen.has(ticket.connectionId)).toBe(false);
          seen.add(ticket.connectionId);
          if (leave) ticket.leave();
        }
      }),
    );
  });

  it("subscribePresence - a throwing listener does not keep the others from hearing; each gets its own userInfo copy", () => {
    const { liveblocks } = makeLiveblocks();
    const heard: unknown[] = [];
    liveblocks.subscribePresence((event) => {
      (event.userInfo as { name: string }).name = "changed";
      throw new Error("listener down");
    });
    liveblocks.subscribePresence((event) => heard.push(event.userInfo));
    liveblocks.presence.enter({ roomId: "r", userId: "ada", userInfo: { name: "Ada" } });
    expect(heard).toEqual([{ name: "Ada" }]);
    expect(liveblocks.presence.activeUsers("r")[0]!.info).toEqual({ name: "Ada" });
  });

  it("subscribePresence / getActiveUsers - bad input is refused with the field and the rule", async () => {
    const { liveblocks } = makeLiveblocks();
    expect(() => liveblocks.subscribePresence("nope" as never)).toThrow(/listener.*must be a function/);
    await expect(liveblocks.getActiveUsers(42 as never)).rejects.toMatchObject({ status: 422 });
    await expect(liveblocks.getActiveUsers("missing")).rejects.toMatchObject({ status: 404 });
  });
});
