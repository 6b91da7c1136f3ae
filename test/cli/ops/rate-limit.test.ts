import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RateLimiter, parseRateLimits } from "../../../src/cli/ops/rate-limit.js";

describe("parseRateLimits", () => {
  it("parseRateLimits - reads families, counts and windows in every unit", () => {
    expect(parseRateLimits("identify=100/10s, writes=5/m,listings=20/500ms,other=1/2h")).toEqual({
      identify: { limit: 100, windowMs: 10_000 },
      writes: { limit: 5, windowMs: 60_000 },
      listings: { limit: 20, windowMs: 500 },
      other: { limit: 1, windowMs: 7_200_000 },
    });
  });

  it("parseRateLimits - refuses a bad part, naming it and the rule", () => {
    expect(() => parseRateLimits("identify=100")).toThrow("Invalid --rate-limit part 'identify=100': expected <family>=<count>/<window>");
    expect(() => parseRateLimits("logins=1/s")).toThrow("Invalid --rate-limit family 'logins': one of identify, writes, listings, other");
    expect(() => parseRateLimits("writes=0/s")).toThrow("the count must be at least 1");
    expect(() => parseRateLimits("writes=1/48h")).toThrow("the window from 1 ms to 24 h");
  });
});

describe("RateLimiter", () => {
  it("take - allows the burst, refuses the next with the seconds until a token, refills over the window", () => {
    let now = 0;
    const limiter = new RateLimiter({ identify: { limit: 3, windowMs: 10_000 } }, { now: () => now });
    for (let i = 0; i < 3; i++) expect(limiter.take("identify", "a").allowed).toBe(true);
    expect(limiter.take("identify", "a")).toEqual({ allowed: false, retryAfterSeconds: 4 });
    // Another address and another family are not touched.
    expect(limiter.take("identify", "b").allowed).toBe(true);
    expect(limiter.take("writes", "a").allowed).toBe(true);
    now = 3_400;
    expect(limiter.take("identify", "a").allowed).toBe(true);
    expect(limiter.take("identify", "a").allowed).toBe(false);
  });

  it("take - a flood of distinct addresses never holds more than maxKeys buckets, and idle ones drain", () => {
    let now = 0;
    const limiter = new RateLimiter({ other: { limit: 5, windowMs: 1_000 } }, { now: () => now, maxKeys: 1_000 });
    for (let i = 0; i < 50_000; i++) {
      limiter.take("other", `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      expect(limiter.size).toBeLessThanOrEqual(1_000);
    }
    expect(limiter.size).toBe(1_000);
    // Past the window every bucket is idle: ongoing traffic drops two per new key.
    now = 5_000;
    for (let i = 0; i < 500; i++) limiter.take("other", `fresh-${i}`);
    expect(limiter.size).toBeLessThanOrEqual(1_000 - 500);
  });

  it("take - never allows more than limit + rate × t in any span t (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 200 }),
        (limit, windowMs, gaps) => {
          let now = 0;
          const limiter = new RateLimiter({ writes: { limit, windowMs } }, { now: () => now });
          const allowedAt: number[] = [];
          for (const gap of gaps) {
            now += gap;
            if (limiter.take("writes", "k").allowed) allowedAt.push(now);
          }
          for (let i = 0; i < allowedAt.length; i++) {
            for (let j = i; j < allowedAt.length; j++) {
              const span = allowedAt[j]! - allowedAt[i]!;
              expect(j - i + 1).toBeLessThanOrEqual(limit + (span * limit) / windowMs + 1e-9);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
