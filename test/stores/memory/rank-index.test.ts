/**
 * MemoryStore's time indexes against naive models: the rank lists and
 * their walks (one list, a union, an intersection) against sorted arrays,
 * and the timeline against a sorted array of rooms, with tiny chunks so
 * every split runs, and many rooms per millisecond so ranks are bisected
 * and, at the limits of `Date`, shared.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareSortKeys, type SortKey } from "../../../src/rooms/order.js";
import {
  DONE,
  IntersectionWalk,
  ListWalk,
  RoomTimeline,
  TimeList,
  type TimeWalk,
  UnionWalk,
} from "../../../src/stores/memory/rank-index.js";
import type { RoomData } from "../../../src/rooms/types.js";
import { makeRoom } from "../../../src/testing/index.js";

const drain = (walk: TimeWalk): number[] => {
  const out: number[] = [];
  for (; walk.value !== DONE; walk.advance()) out.push(walk.value);
  return out;
};
const distinctDescending = (values: number[]) => [...new Set(values)].sort((a, b) => b - a);

describe("TimeList and its walks", () => {
  const op = fc.record({ insert: fc.boolean(), value: fc.integer({ min: 0, max: 40 }) });
  const list = (chunk: number, ops: { insert: boolean; value: number }[]) => {
    const times = new TimeList(chunk);
    const model: number[] = [];
    for (const { insert, value } of ops) {
      if (insert) {
        times.insert(value);
        model.push(value);
      } else {
        const at = model.indexOf(value);
        expect(times.remove(value)).toBe(at >= 0);
        if (at >= 0) model.splice(at, 1);
      }
      expect(times.size).toBe(model.length);
    }
    return { times, model };
  };

  it("a list is a multiset; its walk gives the distinct values below the bound, newest first, and seeks", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.array(op, { maxLength: 120 }),
        fc.integer({ min: -1, max: 42 }),
        fc.array(fc.integer({ min: -1, max: 42 }), { maxLength: 5 }),
        (chunk, ops, below, seeks) => {
          const { times, model } = list(chunk, ops);
          expect(drain(new ListWalk(times, Infinity))).toEqual(distinctDescending(model));
          expect(drain(new ListWalk(times, below))).toEqual(distinctDescending(model.filter((v) => v < below)));
          // Seeking lands on the newest value at or before the target, never moving back up.
          const walk = new ListWalk(times, Infinity);
          let bound = Infinity;
          for (const target of seeks) {
            walk.seek(target);
            bound = Math.min(bound, target);
            expect(walk.value).toBe(distinctDescending(model.filter((v) => v <= bound))[0] ?? DONE);
          }
        },
      ),
    );
  });

  it("forget - a forgotten value leaves the live count at once and the walk by the time forgotten ones outnumber live ones", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.record({ kind: fc.constantFrom("insert", "remove", "forget"), value: fc.integer({ min: 0, max: 30 }) }), {
          minLength: 100,
          maxLength: 300,
        }),
        (chunk, ops) => {
          const times = new TimeList(chunk);
          const live: number[] = [];
          for (const { kind, value } of ops) {
            if (kind === "insert") {
              times.insert(value);
              live.push(value);
              continue;
            }
            // Only a value that is live may be removed or forgotten (a deleted room's rank is).
            const at = live.indexOf(value);
            if (at < 0) continue;
            live.splice(at, 1);
            if (kind === "remove") expect(times.remove(value)).toBe(true);
            else times.forget(value);
            expect(times.live).toBe(live.length);
            // Forgotten values never outnumber live ones (for longer than one call).
            expect(times.size - times.live).toBeLessThanOrEqual(Math.max(times.live, 0));
            // The walk holds every live value; once nothing forgotten is left, only those.
            const walked = new Set(drain(new ListWalk(times, Infinity)));
            expect(live.filter((v) => !walked.has(v))).toEqual([]);
            if (times.size === times.live) expect(walked.size).toBe(new Set(live).size);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a union walks the values of any list, an intersection those of every list", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.array(op, { maxLength: 60 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 42 }),
        (chunk, lists, below) => {
          const built = lists.map((ops) => list(chunk, ops));
          const walks = () => built.map(({ times }) => new ListWalk(times, below));
          const sets = built.map(({ model }) => new Set(model.filter((v) => v < below)));
          const union = [...new Set(sets.flatMap((set) => [...set]))];
          const common = union.filter((v) => sets.every((set) => set.has(v)));
          expect(drain(new UnionWalk(walks()))).toEqual(distinctDescending(union));
          expect(drain(new IntersectionWalk(walks()))).toEqual(distinctDescending(common));
          // Nested as the store nests them: a union inside an intersection.
          const [first, ...rest] = walks();
          const nested = new IntersectionWalk([first as TimeWalk, new UnionWalk(rest.length > 0 ? rest : walks())]);
          const restUnion = new Set((rest.length > 0 ? sets.slice(1) : sets).flatMap((set) => [...set]));
          expect(drain(nested)).toEqual(distinctDescending([...(sets[0] as Set<number>)].filter((v) => restUnion.has(v))));
        },
      ),
    );
  });
});

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
