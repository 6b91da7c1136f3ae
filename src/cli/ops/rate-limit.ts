/**
 * Per-instance rate limits: a token bucket per client address and route
 * family, in memory. Memory is bounded: a bucket that has refilled is idle
 * and dropped, and past `maxKeys` the least recently seen bucket goes, so a
 * flood of distinct addresses cannot grow the map.
 */
import type { RouteFamily } from "./routes.js";

/** `limit` requests per `windowMs`, refilled continuously. */
export type RateLimit = { limit: number; windowMs: number };

/** The limits per family; a family without one is not limited. */
export type RateLimits = Partial<Record<RouteFamily, RateLimit>>;

const FAMILIES: readonly RouteFamily[] = ["identify", "writes", "listings", "other"];
const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses `identify=100/10s,writes=50/1s` (units `ms`, `s`, `m`, `h`; `/s`
 * means `/1s`); throws an error naming the part and the rule.
 *
 * @example
 * ```ts
 * parseRateLimits("identify=100/10s,listings=20/s"); // { identify: { limit: 100, windowMs: 10000 }, listings: { limit: 20, windowMs: 1000 } }
 * ```
 */
export function parseRateLimits(spec: string): RateLimits {
  const limits: RateLimits = {};
  for (const part of spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z]+)=(\d+)\/(\d*)(ms|s|m|h)$/.exec(part);
    if (match === null) {
      throw new Error(`Invalid --rate-limit part '${part}': expected <family>=<count>/<window>, e.g. identify=100/10s`);
    }
    const family = match[1] as RouteFamily;
    if (!FAMILIES.includes(family)) {
      throw new Error(`Invalid --rate-limit family '${match[1]}': one of ${FAMILIES.join(", ")}`);
    }
    const limit = Number(match[2]);
    const windowMs = Number(match[3] === "" ? 1 : match[3]) * UNITS[match[4]!]!;
    if (!Number.isSafeInteger(limit) || limit < 1 || windowMs < 1 || windowMs > 86_400_000) {
      throw new Error(`Invalid --rate-limit part '${part}': the count must be at least 1 and the window from 1 ms to 24 h`);
    }
    limits[family] = { limit, windowMs };
  }
  return limits;
}

type Bucket = { tokens: number; at: number };

/** The answer for one request: allowed, or how many whole seconds to wait. */
export type Admission = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const ALLOWED: Admission = { allowed: true };

/** Default bound on the buckets kept per family. */
export const DEFAULT_MAX_KEYS = 10_000;

/**
 * Token buckets per family and key (the client address).
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ identify: { limit: 100, windowMs: 10_000 } });
 * if (!limiter.take("identify", "203.0.113.7").allowed) answer429();
 * ```
 */
export class RateLimiter {
  readonly #limits: RateLimits;
  readonly #buckets = new Map<RouteFamily, Map<string, Bucket>>();
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(limits: RateLimits, options: { maxKeys?: number; now?: () => number } = {}) {
    this.#limits = limits;
    this.#maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    this.#now = options.now ?? Date.now;
    for (const family of FAMILIES) if (limits[family] !== undefined) this.#buckets.set(family, new Map());
  }

  /** Whether any family is limited. */
  get enabled(): boolean {
    return this.#buckets.size > 0;
  }

  /** Buckets held now, across families (for tests and metrics). */
  get size(): number {
    let size = 0;
    for (const buckets of this.#buckets.values()) size += buckets.size;
    return size;
  }

  /** Takes one token of `key`'s bucket in `family`, or says how long until there is one. */
  take(family: RouteFamily, key: string): Admission {
    const limit = this.#limits[family];
    const buckets = this.#buckets.get(family);
    if (limit === undefined || buckets === undefined) return ALLOWED;
    const now = this.#now();
    const rate = limit.limit / limit.windowMs;
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      this.#makeRoom(buckets, now, limit.windowMs);
      bucket = { tokens: limit.limit, at: now };
    } else {
      // Re-inserted on every use: the map's order is then least recently seen first.
      buckets.delete(key);
      bucket.tokens = Math.min(limit.limit, bucket.tokens + Math.max(0, now - bucket.at) * rate);
      bucket.at = now;
    }
    buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return ALLOWED;
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000)) };
  }

  /** Drops idle buckets from the oldest end (two per call: the map drains as traffic goes on), then the oldest past the bound. */
  #makeRoom(buckets: Map<string, Bucket>, now: number, windowMs: number): void {
    let dropped = 0;
    for (const [key, bucket] of buckets) {
      if (dropped >= 2 && buckets.size < this.#maxKeys) return;
      // Idle for a whole window: refilled, so forgetting it changes nothing.
      if (now - bucket.at >= windowMs || buckets.size >= this.#maxKeys) {
        buckets.delete(key);
        dropped++;
      } else if (buckets.size < this.#maxKeys) {
        return;
      }
    }
  }
}
