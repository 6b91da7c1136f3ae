/**
 * RoomOrder, the gate that keeps PostgresStore's room events in commit
 * order per room: pruning what it remembers never changes a decision, in a
 * model of the database's sequence, own writes in flight and the feed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RoomOrder } from "../../../src/stores/postgres/room-order.js";

/** Whether `order` lets an event of change `seq` of `roomId` through as it is (rather than a later one again). */
function passes(order: RoomOrder, roomId: string, seq: number): boolean {
  const event = { type: "deleted" as const, roomId, room: null };
  return order.pass(event, seq) === event;
}

type Own = { done: () => void; roomId: string; seq: number | null; committed: boolean };

const ROOMS = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
const step = fc.tuple(
  fc.integer({ min: 0, max: 6 }),
  fc.integer({ min: 0, max: 20 }),
  fc.oneof(fc.constantFrom("a", "b"), fc.constantFrom(...ROOMS)),
);

describe("RoomOrder", () => {
  it("pass - forgets rooms no later event can be below once no own write is in flight", () => {
    let feed = 0;
    const order = new RoomOrder(() => feed, 16);
    const done = order.begin();
    for (let seq = 1; seq <= 100; seq++) passes(order, `room-${seq}`, seq);
    feed = 100;
    passes(order, "room-101", 101);
    expect(order.size).toBe(101); // the write in flight may yet be numbered 1
    done();
    for (let seq = 102; seq <= 128; seq++) passes(order, `room-${seq}`, seq);
    expect(order.size).toBe(28); // 101 to 128: the feed may still deliver below them
  });

  it("pass - replaces an event numbered below the last one emitted for its room by that one, and only that", () => {
    const order = new RoomOrder(() => 0);
    const room = {
      type: "room" as const,
      id: "r",
      createdAt: new Date(0),
      organizationId: "default",
      defaultAccesses: [],
      usersAccesses: {},
      groupsAccesses: {},
      metadata: { v: "6" },
    };
    const old = { type: "deleted" as const, roomId: "r", room: null };
    const newer = { type: "created" as const, roomId: "r", room };
    expect(order.pass(old, 4)).toBe(old);
    expect(order.pass(newer, 6)).toBe(newer);
    const again = order.pass({ type: "deleted", roomId: "r", room: null }, 5);
    expect(again).toEqual(newer);
    expect(again.room).not.toBe(room); // a copy: a listener that changes it changes nothing else
  });

  it("pass - lets through only events not below the last one of their room", () => {
    const order = new RoomOrder(() => 0);
    expect(passes(order, "r", 5)).toBe(true);
    expect(passes(order, "r", 4)).toBe(false);
    expect(passes(order, "other", 4)).toBe(true);
    expect(passes(order, "r", 6)).toBe(true);
  });

  it("pass - an own write answered late is still replaced after pruning", () => {
    let feed = 0;
    const order = new RoomOrder(() => feed, 1);
    const done = order.begin(); // takes number 1 for room a, commits, answers late
    feed = 2; // the feed read 1 (own, skipped) and 2: another instance's later write of room a
    expect(passes(order, "a", 2)).toBe(true);
    feed = 3;
    expect(passes(order, "b", 3)).toBe(true); // prunes
    expect(passes(order, "a", 1)).toBe(false);
    done();
  });

  it("pass - pruning never changes a decision", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 100 }), (steps) => {
        let next = 0;
        let feed = 0; // every number at or below it was read by the feed
        const committed = new Set<number>();
        const others = new Map<number, string>();
        const owns: Own[] = [];
        const order = new RoomOrder(() => feed, 1);
        const reference = new Map<string, number>();
        const check = (roomId: string, seq: number) => {
          const last = reference.get(roomId);
          const expected = last === undefined || seq >= last;
          if (expected) reference.set(roomId, seq);
          expect(passes(order, roomId, seq)).toBe(expected);
        };
        for (const [op, n, roomId] of steps) {
          const candidates = owns.filter((own) =>
            op === 1 || op === 4 ? own.seq === null : op === 2 ? own.seq !== null && !own.committed : own.committed,
          );
          const own = candidates.length > 0 ? candidates[n % candidates.length]! : undefined;
          if (op === 0) owns.push({ done: order.begin(), roomId, seq: null, committed: false });
          else if (op === 1 && own !== undefined && own.seq === null) own.seq = ++next;
          else if (op === 2 && own !== undefined && own.seq !== null && !own.committed) {
            own.committed = true;
            committed.add(own.seq);
          } else if (op === 3 && own !== undefined && own.committed) {
            check(own.roomId, own.seq!);
            own.done();
            owns.splice(owns.indexOf(own), 1);
          } else if (op === 4 && own !== undefined && own.seq === null) {
            own.done(); // failed before taking a number
            owns.splice(owns.indexOf(own), 1);
          } else if (op === 5) {
            others.set(++next, roomId);
            committed.add(next);
          } else if (op === 6) {
            // The feed reads in order, up to the first number not committed yet; own rows are skipped.
            while (committed.has(feed + 1)) {
              feed++;
              const other = others.get(feed);
              if (other !== undefined) check(other, feed);
            }
          }
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
