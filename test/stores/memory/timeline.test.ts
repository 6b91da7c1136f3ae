/**
 * MemoryStore's timeline against a sorted array of rooms, with tiny chunks
 * so every split runs, and many rooms per millisecond so ranks are bisected
 * and, at the limits of `Date`, shared.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareSortKeys, type SortKey } from "../../../src/rooms/order.js";
import { RoomTimeline } from "../../../src/stores/memory/timeline.js";
import type { RoomData } from "../../../src/rooms/types.js";
import { makeRoom } from "../../../src/testing/index.js";

describe("RoomTimeline", () => {
  const key = (room: RoomData): SortKey => ({ ms: room.createdAt.getTime(), id: room.id });
  // Ids that sort differently in UTF-16 and code points, and many rooms per millisecond.
  const id = fc.constantFrom("a", "a1", "a12", "a2", "ab", "b", "b1", "\uffff", "😀", "\ud800", "c", "d", "e");
  // -1, 0 and 1 are ordinary; ±8.64e15 (and one below it) are the limits of Date, where a double has no fraction left.
  const ms = fc.constantFrom(-8.64e15, -1, 0, 1, 8.64e15 - 1, 8.64e15);
  const op = fc.record({ insert: fc.boolean(), id, ms });

  it("keeps rooms in listing order with ranks in [ms, ms + 1) that never decrease, finds each by rank, walks from a cursor", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.array(op, { maxLength: 80 }), id, ms, (chunk, ops, afterId, afterMs) => {
        const timeline = new RoomTimeline(chunk);
        const model = new Map<string, { room: RoomData; rank: number }>();
        for (const { insert, id, ms } of ops) {
          const existing = model.get(id);
          if (insert && existing === undefined) {
            const room = makeRoom(id, { createdAt: new Date(ms) });
            const rank = timeline.insert(room, ms);
            expect(Math.floor(rank)).toBe(ms);
            model.set(id, { room, rank });
          } else if (!insert && existing !== undefined) {
            // A different object with the same key is not the room.
            expect(timeline.remove(makeRoom(id, { createdAt: existing.room.createdAt }), existing.room.createdAt.getTime())).toBeNaN();
            expect(timeline.remove(existing.room, existing.room.createdAt.getTime())).toBe(existing.rank);
            model.delete(id);
          } else if (existing !== undefined) {
            const next = makeRoom(id, { createdAt: existing.room.createdAt });
            expect(timeline.replace(existing.room, next, existing.room.createdAt.getTime())).toBe(existing.rank);
            model.set(id, { room: next, rank: existing.rank });
          }
          expect(timeline.size).toBe(model.size);
        }
        const ordered = [...model.values()].sort((a, b) => compareSortKeys(key(a.room), key(b.room)));
        for (let i = 1; i < ordered.length; i++) {
          expect(ordered[i]!.rank).toBeGreaterThanOrEqual(ordered[i - 1]!.rank);
        }
        // Within ordinary milliseconds every rank is its room's own.
        const ranks = ordered.filter((e) => Math.abs(e.room.createdAt.getTime()) < 2).map((e) => e.rank);
        expect(new Set(ranks).size).toBe(ranks.length);
        for (const { rank } of ordered) {
          const out: RoomData[] = [];
          timeline.collectAt(rank, out);
          expect(out.map((room) => room.id)).toEqual(ordered.filter((e) => e.rank === rank).map((e) => e.room.id));
        }
        const walk = (after: SortKey | undefined) => {
          const next = timeline.walkDown(after);
          const out: string[] = [];
          for (let room = next(); room !== undefined; room = next()) out.push(room.id);
          return out;
        };
        const newestFirst = [...ordered].reverse();
        expect(walk(undefined)).toEqual(newestFirst.map((e) => e.room.id));
        const after = { ms: afterMs, id: afterId };
        expect(walk(after)).toEqual(newestFirst.filter((e) => compareSortKeys(key(e.room), after) < 0).map((e) => e.room.id));
      }),
    );
  });

  it("gives rooms of one millisecond distinct ranks: 380 added in id order, 120 before them, 3 between two", () => {
    const timeline = new RoomTimeline(16);
    const ranks = new Set<number>();
    const ms = Date.UTC(2026, 0, 1);
    const add = (id: string) => ranks.add(timeline.insert(makeRoom(id, { createdAt: new Date(ms) }), ms));
    for (let i = 0; i < 380; i++) add(`m${String(i).padStart(5, "0")}`);
    for (let i = 120; i > 0; i--) add(`f${String(i).padStart(5, "0")}`);
    // Between m00000 and m00001, each one halving the gap the previous one left.
    for (const id of ["m00000a", "m00000aa", "m00000aaa"]) add(id);
    expect(ranks.size).toBe(503);
    // One more has no double left between its neighbours: it shares a rank (and is still found by it).
    const rank = timeline.insert(makeRoom("m00000aaaa", { createdAt: new Date(ms) }), ms);
    const out: RoomData[] = [];
    timeline.collectAt(rank, out);
    expect(out.map((room) => room.id)).toContain("m00000aaaa");
    expect(out).toHaveLength(2);
  });
});
