import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { RequestHistogram } from './request-histogram.ts';

/** What the store says at each scrape: the outbox backlog and the incidents by state. */
export interface StoreSnapshot {
  outbox: { channel: string; status: string; count: number; oldestAgeSeconds: number }[];
  incidents: { state: string; count: number }[];
}

/**
 * Prometheus metrics for the operator (`/metrics`), one registry per process: request durations by
 * route, deliveries by outcome, sign-in decisions, and, read from the store when scraped, the outbox
 * backlog and incidents by state (so every instance reports the same shared figures).
 */
export function createMetrics(snapshot: () => Promise<StoreSnapshot>, options: { processMetrics: boolean }) {
  const registry = new Registry();
  // Memory, CPU, event loop lag and GC: only where someone scrapes (they watch the process all the time).
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'mamori_' });
  const requestSeconds = new RequestHistogram({
    name: 'mamori_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern and status class',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registry,
  });
  const deliveries = new Counter({
    name: 'mamori_deliveries_total',
    help: 'Delivery attempts by channel (email, backchannel-logout, ssf) and outcome (sent, retrying, abandoned)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  const signInDecisions = new Counter({
    name: 'mamori_sign_in_decisions_total',
    help: 'Risk decisions on sign-ins with a correct password: allow, challenge (a second step) or deny',
    labelNames: ['decision'] as const,
    registers: [registry],
  });
  // One store read per scrape serves every gauge (render() takes it before the registry collects).
  let current: StoreSnapshot = { outbox: [], incidents: [] };
  new Gauge({
    name: 'mamori_outbox_messages',
    help: 'Messages in the outbox not yet delivered, by channel and status',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const row of current.outbox) this.set({ channel: row.channel, status: row.status }, row.count);
    },
  });
  new Gauge({
    name: 'mamori_outbox_oldest_age_seconds',
    help: 'Age of the oldest undelivered message, by channel',
    labelNames: ['channel'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const oldest = new Map<string, number>();
      for (const row of current.outbox)
        oldest.set(row.channel, Math.max(oldest.get(row.channel) ?? 0, row.oldestAgeSeconds));
      for (const [channel, age] of oldest) this.set({ channel }, age);
    },
  });
  new Gauge({
    name: 'mamori_incidents',
    help: 'Incidents by state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const row of current.incidents) this.set({ state: row.state }, row.count);
    },
  });

  return {
    registry,
    /** The exposition text for a scrape, with the store's figures read now. */
    async render(): Promise<string> {
      current = await snapshot();
      return registry.metrics();
    },
    request(method: string, route: string, status: number, seconds: number): void {
      requestSeconds.record(method, route, `${Math.floor(status / 100)}xx`, seconds);
    },
    delivery(channel: string, outcome: 'sent' | 'retrying' | 'abandoned'): void {
      deliveries.inc({ channel, outcome });
    },
    signInDecision(decision: 'allow' | 'challenge' | 'deny'): void {
      signInDecisions.inc({ decision });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
