import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric the service exposes on /metrics; one registry per service instance. */
export interface Metrics {
  registry: Registry;
  /** outcome: created, updated, skipped, dead_lettered, abandoned, recorded or stale_ignored. */
  events: Counter<'consumer' | 'outcome'>;
  failures: Counter<'consumer' | 'failure_class' | 'code'>;
  financeRetries: Counter<'reason'>;
  pushDuration: Histogram<'action'>;
  consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  pausedPartitions: Gauge<'group' | 'topic'>;
  inFlight: Gauge<'consumer'>;
  financeConcurrencyLimit: Gauge;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    events: new Counter({
      name: 'invoice_sync_events_total',
      help: 'Events handled, by consumer and outcome (created, updated, skipped, dead_lettered, recorded, stale_ignored).',
      labelNames: ['consumer', 'outcome'],
      registers,
    }),
    failures: new Counter({
      name: 'invoice_sync_failures_total',
      help: 'Failed attempts, by consumer, failure class and error code.',
      labelNames: ['consumer', 'failure_class', 'code'],
      registers,
    }),
    financeRetries: new Counter({
      name: 'invoice_sync_finance_retries_total',
      help: 'Finance requests retried after a transient failure, by reason (status code or error code).',
      labelNames: ['reason'],
      registers,
    }),
    pushDuration: new Histogram({
      name: 'invoice_sync_finance_push_duration_seconds',
      help: 'Time of one finance import, retries included, by resulting action.',
      labelNames: ['action'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'invoice_sync_consumer_lag',
      help: 'Records of the partition not durably handled yet: its high watermark minus the next offset to commit.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    }),
    pausedPartitions: new Gauge({
      name: 'invoice_sync_paused_partitions',
      help: 'Partitions currently paused after a transient or systemic failure.',
      labelNames: ['group', 'topic'],
      registers,
    }),
    inFlight: new Gauge({
      name: 'invoice_sync_in_flight',
      help: 'Events being processed right now.',
      labelNames: ['consumer'],
      registers,
    }),
    financeConcurrencyLimit: new Gauge({
      name: 'invoice_sync_finance_concurrency_limit',
      help: 'Finance calls allowed in flight right now: grows while latency stays near its floor, shrinks on 429, 503, timeouts and rising latency.',
      registers,
    }),
  };
}
