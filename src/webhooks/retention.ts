/**
 * How long finished deliveries are kept: a delivered one for `deliveredMs`
 * after it was delivered, a dead-lettered one for `failedMs` after its last
 * attempt (long enough to look at it and replay it). Pending deliveries are
 * never pruned, whatever their age: they are what "loses nothing" keeps.
 * Events need no pruning of their own: fan-out deletes each event as it
 * copies it into its deliveries, and a finished delivery is never needed by
 * a pending one (a room's order waits only on pending deliveries).
 */

/** The `retention` option of the webhook engine and of `new Liveblocks({ webhooks })`. */
export type WebhookRetention = {
  /** How long a delivered delivery is kept after its delivery (default 7 days). */
  deliveredMs?: number;
  /** How long a dead-lettered delivery is kept after its last attempt (default 30 days). */
  failedMs?: number;
};

/** 7 days. */
export const DEFAULT_DELIVERED_RETENTION_MS = 7 * 24 * 3_600_000;
/** 30 days. */
export const DEFAULT_FAILED_RETENTION_MS = 30 * 24 * 3_600_000;
/** Rows deleted per statement: a prune never holds the outbox long. */
export const PRUNE_BATCH = 1_000;
/** How often an engine prunes when the last prune found less than a batch. */
export const PRUNE_INTERVAL_MS = 60_000;

/** What a prune removes: finished deliveries that finished before these instants. */
export type PruneCutoffs = { deliveredBefore: Date; failedBefore: Date };

/**
 * `retention` with its defaults, checked.
 *
 * @throws {TypeError} naming the field and the rule.
 * @example
 * ```ts
 * resolveRetention({ deliveredMs: 86_400_000 }); // { deliveredMs: 86400000, failedMs: 2592000000 }
 * ```
 */
export function resolveRetention(retention: unknown, field = "retention"): Required<WebhookRetention> {
  if (retention === undefined) return { deliveredMs: DEFAULT_DELIVERED_RETENTION_MS, failedMs: DEFAULT_FAILED_RETENTION_MS };
  if (typeof retention !== "object" || retention === null || Array.isArray(retention)) {
    throw new TypeError(`Invalid value for field '${field}'. Please provide an object.`);
  }
  const given = retention as Record<string, unknown>;
  const duration = (key: "deliveredMs" | "failedMs", fallback: number): number => {
    const value = given[key];
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw new TypeError(`Invalid value for field '${field}.${key}'. Please provide a whole number of milliseconds, 0 or more.`);
    }
    return value;
  };
  return {
    deliveredMs: duration("deliveredMs", DEFAULT_DELIVERED_RETENTION_MS),
    failedMs: duration("failedMs", DEFAULT_FAILED_RETENTION_MS),
  };
}

/** The cutoffs of `retention` at `now`. */
export function pruneCutoffs(retention: Required<WebhookRetention>, now: number): PruneCutoffs {
  return { deliveredBefore: new Date(now - retention.deliveredMs), failedBefore: new Date(now - retention.failedMs) };
}
