/**
 * Interleaved timing shared by the ratio benches: a roomgate operation and
 * its baseline run in alternating rounds, so a noisy machine (CPU steal,
 * frequency changes) slows both alike; the reported ratio is the median of
 * the per-round ratios.
 */

/** Alternating rounds per comparison. */
export const ROUNDS = 41;

/** The medians of one interleaved comparison, per call in µs. */
export type Comparison = { ratio: number; subject: number; baseline: number };

/** The middle value (upper middle for an even count). */
export function median(xs: readonly number[]): number {
  return [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
}

/** µs per call of an async (or sync, awaited) operation. */
async function timeOf(fn: () => unknown, iterations: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  return Number(process.hrtime.bigint() - start) / iterations / 1000;
}

/** Sink the sync loop writes to, so no call can be optimized away. */
let sink: unknown;

/**
 * µs per call of a synchronous operation, not awaited (an `await` per call
 * costs about as much as a sub-microsecond operation). `fn(i)` gets the
 * call's index, to rotate through inputs.
 */
function timeOfSync(fn: (i: number) => unknown, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = fn(i);
  return Number(process.hrtime.bigint() - start) / iterations / 1000;
}

async function interleave(baseline: () => Promise<number>, subject: () => Promise<number>): Promise<Comparison> {
  for (let warm = 0; warm < 3; warm++) {
    await baseline();
    await subject();
  }
  const ratios: number[] = [];
  const base: number[] = [];
  const mine: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const b = await baseline();
    const s = await subject();
    base.push(b);
    mine.push(s);
    ratios.push(s / b);
  }
  return { ratio: median(ratios), subject: median(mine), baseline: median(base) };
}

/** Interleaved medians of two async operations (each call awaited). */
export function compare(baseline: () => unknown, subject: () => unknown, iterations: number): Promise<Comparison> {
  return interleave(
    () => timeOf(baseline, iterations),
    () => timeOf(subject, iterations),
  );
}

/**
 * Interleaved medians of two synchronous operations, called with a rotating
 * index; `subjectIterations` lets a much faster subject run long enough per
 * round to be timed well without stretching the baseline's rounds.
 */
export function compareSync(
  baseline: (i: number) => unknown,
  subject: (i: number) => unknown,
  iterations: number,
  subjectIterations = iterations,
): Promise<Comparison> {
  return interleave(
    async () => timeOfSync(baseline, iterations),
    async () => timeOfSync(subject, subjectIterations),
  );
}
