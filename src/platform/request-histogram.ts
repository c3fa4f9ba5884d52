import { Histogram, type Registry } from 'prom-client';

type Label = 'method' | 'route' | 'status';

interface Series {
  labels: Record<Label, string>;
  /** Observations per bucket (not cumulative); the last slot is above the highest bound. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A histogram of request durations, counted here and written out in prom-client's exposition (cumulative
 * `_bucket` lines with `le`, then `+Inf`, `_sum` and `_count`, the labels as prom-client writes them).
 * prom-client's own observe checks and hashes the labels, makes a closure and turns the bucket's bound
 * into a property name on every call: about ten microseconds a request before V8 optimises it (a
 * sign-in's whole bookkeeping), against one here. A series is found by one string key.
 */
export class RequestHistogram extends Histogram<Label> {
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly options: { name: string; help: string; buckets: readonly number[]; registry: Registry },
  ) {
    super({ name: options.name, help: options.help, labelNames: ['method', 'route', 'status'], registers: [] });
    options.registry.registerMetric(this);
  }

  record(method: string, route: string, status: string, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: { method, route, status },
        counts: this.options.buckets.map(() => 0).concat(0),
        sum: 0,
        count: 0,
      };
      this.series.set(key, series);
    }
    const { buckets } = this.options;
    let slot = 0;
    while (slot < buckets.length && seconds > (buckets[slot] as number)) slot += 1;
    series.counts[slot] = (series.counts[slot] ?? 0) + 1;
    series.sum += seconds;
    series.count += 1;
  }

  override reset(): void {
    super.reset();
    // Called by prom-client's constructor too, before this class's fields exist.
    this.series?.clear();
  }

  /** What prom-client's registry writes for a histogram (read in place of Histogram's own). */
  async getForPromString() {
    const { name, help, buckets } = this.options;
    const values = [...this.series.values()].flatMap(({ labels, counts, sum, count }) => {
      let below = 0;
      const lines = buckets.map((bound, i) => {
        below += counts[i] ?? 0;
        return {
          labels: { le: bound },
          sharedLabels: labels,
          value: below,
          metricName: `${name}_bucket`,
          exemplar: null,
        };
      });
      return [
        ...lines,
        { labels: { le: '+Inf' }, sharedLabels: labels, value: count, metricName: `${name}_bucket`, exemplar: null },
        { labels: {}, sharedLabels: labels, value: sum, metricName: `${name}_sum`, exemplar: undefined },
        { labels: {}, sharedLabels: labels, value: count, metricName: `${name}_count`, exemplar: undefined },
      ];
    });
    return { name, help, type: 'histogram' as const, values, aggregator: 'sum' as const };
  }
}
