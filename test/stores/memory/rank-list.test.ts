/**
 * MemoryStore's rank lists and their walks (one list, a union, an
 * intersection) against sorted arrays, with tiny chunks so every split runs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RankList } from "../../../src/stores/memory/rank-list.js";
import { DONE, IntersectionWalk, ListWalk, type RankWalk, UnionWalk } from "../../../src/stores/memory/rank-walks.js";

const drain = (walk: RankWalk): number[] => {
  const out: number[] = [];
  for (; walk.value !== DONE; walk.advance()) out.push(walk.value);
  return out;
};
const distinctDescending = (values: number[]) => [...new Set(values)].sort((a, b) => b - a);

describe("RankList and its walks", () => {
  const op = fc.record({ insert: fc.boolean(), value: fc.integer({ min: 0, max: 40 }) });
  const list = (chunk: number, ops: { insert: boolean; value: number }[]) => {
    const ranks = new RankList(chunk);
    const model: number[] = [];
    for (const { insert, value } of ops) {
      if (insert) {
        ranks.insert(value);
        model.push(value);
      } else {
        const at = model.indexOf(value);
        expect(ranks.remove(value)).toBe(at >= 0);
        if (at >= 0) model.splice(at, 1);
      }
      expect(ranks.size).toBe(model.length);
    }
    return { ranks, model };
  };

  it("a list is a multiset; its walk gives the distinct values below the bound, newest first, and seeks", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.array(op, { maxLength: 120 }),
        fc.integer({ min: -1, max: 42 }),
        fc.array(fc.integer({ min: -1, max: 42 }), { maxLength: 5 }),
        (chunk, ops, below, seeks) => {
          const { ranks, model } = list(chunk, ops);
          expect(drain(new ListWalk(ranks, Infinity))).toEqual(distinctDescending(model));
          expect(drain(new ListWalk(ranks, below))).toEqual(distinctDescending(model.filter((v) => v < below)));
          // Seeking lands on the newest value at or before the target, never moving back up.
          const walk = new ListWalk(ranks, Infinity);
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
          const ranks = new RankList(chunk);
          const live: number[] = [];
          for (const { kind, value } of ops) {
            if (kind === "insert") {
              ranks.insert(value);
              live.push(value);
              continue;
            }
            // Only a value that is live may be removed or forgotten (a deleted room's rank is).
            const at = live.indexOf(value);
            if (at < 0) continue;
            live.splice(at, 1);
            if (kind === "remove") expect(ranks.remove(value)).toBe(true);
            else ranks.forget(value);
            expect(ranks.live).toBe(live.length);
            // Forgotten values never outnumber live ones (for longer than one call).
            expect(ranks.size - ranks.live).toBeLessThanOrEqual(Math.max(ranks.live, 0));
            // The walk holds every live value; once nothing forgotten is left, only those.
            const walked = new Set(drain(new ListWalk(ranks, Infinity)));
            expect(live.filter((v) => !walked.has(v))).toEqual([]);
            if (ranks.size === ranks.live) expect(walked.size).toBe(new Set(live).size);
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
          const walks = () => built.map(({ ranks }) => new ListWalk(ranks, below));
          const sets = built.map(({ model }) => new Set(model.filter((v) => v < below)));
          const union = [...new Set(sets.flatMap((set) => [...set]))];
          const common = union.filter((v) => sets.every((set) => set.has(v)));
          expect(drain(new UnionWalk(walks()))).toEqual(distinctDescending(union));
          expect(drain(new IntersectionWalk(walks()))).toEqual(distinctDescending(common));
          // Nested as the store nests them: a union inside an intersection.
          const [first, ...rest] = walks();
          const nested = new IntersectionWalk([first as RankWalk, new UnionWalk(rest.length > 0 ? rest : walks())]);
          const restUnion = new Set((rest.length > 0 ? sets.slice(1) : sets).flatMap((set) => [...set]));
          expect(drain(nested)).toEqual(distinctDescending([...(sets[0] as Set<number>)].filter((v) => restUnion.has(v))));
        },
      ),
    );
  });
});
