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
  /** Drift per class of the last audit run, read from where runs are kept at each scrape. */
  auditDrift: Gauge<'class'>;
  auditLastRun: Gauge;
  /** Where the audit gauges read the last run from (the service sets it; nothing is shown until then). */
  readAuditFrom(source: () => Promise<AuditSample | undefined>): void;
}

/** What the audit gauges show of the last run: invoices per class, and when it finished. */
export interface AuditSample {
  byClass: Record<string, number>;
  finishedAtMs: number;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const audit = auditGauges(registers);
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
    ...audit,
  };
}

/**
 * The audit's gauges. An audit is a one-shot command, so its run is kept in the database and the
 * service reads the last one when Prometheus scrapes; a failed read leaves the last values shown.
 */
function auditGauges(registers: Registry[]) {
  let source: (() => Promise<AuditSample | undefined>) | undefined;
  let last: Promise<AuditSample | undefined> | undefined;
  // Both gauges collect on one scrape: one read serves them.
  const sample = () => {
    last ??= (source?.() ?? Promise.resolve(undefined))
      .catch(() => undefined)
      .finally(() => {
        setImmediate(() => {
          last = undefined;
        });
      });
    return last;
  };
  const auditDrift: Gauge<'class'> = new Gauge({
    name: 'invoice_sync_audit_drift',
    help: 'Invoices per class of the last audit run: drift left after it (never_pushed, pushed_not_recorded, stale) and its notices (recorded_without_event, unpushable).',
    labelNames: ['class'],
    registers,
    async collect() {
      const run = await sample();
      for (const [name, value] of Object.entries(run?.byClass ?? {})) auditDrift.set({ class: name }, value);
    },
  });
  const auditLastRun = new Gauge({
    name: 'invoice_sync_audit_last_run_timestamp_seconds',
    help: 'When the last audit run finished (Unix seconds); absent before the first run.',
    registers,
    async collect() {
      const run = await sample();
      if (run) auditLastRun.set(run.finishedAtMs / 1000);
    },
  });
  return {
    auditDrift,
    auditLastRun,
    readAuditFrom: (read: () => Promise<AuditSample | undefined>) => {
      source = read;
    },
  };
}
