/**
 * Counters and histograms on the request path, counted in plain numbers and
 * handed to prom-client's registry only when it is scraped. prom-client's
 * own `inc`/`observe` hash the labels object on every call (about 3 µs per
 * request for a counter and a histogram, measured on Node 20): here a
 * series is found by a string key its caller already has.
 */

/** A metric the prom-client registry formats: what `registry.registerMetric` reads. */
export type CollectedMetric = {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  get(): { name: string; help: string; type: string; aggregator: "sum"; values: Sample[] };
  reset(): void;
};

type Sample = { value: number; labels: Record<string, string | number>; metricName?: string };

type Series = { labels: Record<string, string>; count: number; sum: number; buckets: Float64Array | undefined };

/**
 * Series of one metric keyed by the caller's string; `labelsOf(key)` is
 * only called the first time a key is seen. Bounded by the caller's labels.
 *
 * @example
 * ```ts
 * const tokens = new SeriesFamily("roomgate_tokens_issued_total", "Tokens issued.", "counter");
 * registry.registerMetric(tokens as never);
 * tokens.add("id", () => ({ kind: "id" }));
 * ```
 */
export class SeriesFamily implements CollectedMetric {
  readonly aggregator = "sum" as const;
  readonly #series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "histogram",
    readonly bounds: readonly number[] = [],
  ) {}

  /**
   * Counts one event of `key` (a counter), or one observation of `value` (a
   * histogram). `labelsOf(key)` is called the first time `key` is seen: a
   * function made once (not a closure per call) keeps the hot path free of
   * allocations.
   */
  add(key: string, labelsOf: (key: string) => Record<string, string>, value = 1): void {
    let series = this.#series.get(key);
    if (series === undefined) {
      series = {
        labels: labelsOf(key),
        count: 0,
        sum: 0,
        buckets: this.type === "histogram" ? new Float64Array(this.bounds.length) : undefined,
      };
      this.#series.set(key, series);
    }
    series.count++;
    series.sum += value;
    const buckets = series.buckets;
    if (buckets === undefined) return;
    // Each observation lands in the first bucket it fits; the cumulative counts are made at scrape.
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        buckets[i]!++;
        return;
      }
    }
  }

  /** The samples in prom-client's shape: a counter's totals, or a histogram's cumulative buckets, sum and count. */
  get(): ReturnType<CollectedMetric["get"]> {
    const values: Sample[] = [];
    for (const series of this.#series.values()) {
      if (series.buckets === undefined) {
        values.push({ value: series.sum, labels: series.labels });
        continue;
      }
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += series.buckets[i]!;
        values.push({ value: cumulative, labels: { ...series.labels, le: this.bounds[i]! }, metricName: `${this.name}_bucket` });
      }
      values.push({ value: series.count, labels: { ...series.labels, le: "+Inf" }, metricName: `${this.name}_bucket` });
      values.push({ value: series.sum, labels: series.labels, metricName: `${this.name}_sum` });
      values.push({ value: series.count, labels: series.labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Forgets every series (`registry.resetMetrics()`). */
  reset(): void {
    this.#series.clear();
  }
}
