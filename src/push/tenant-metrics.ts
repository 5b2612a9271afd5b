import { Counter, Gauge, type Registry } from 'prom-client';
import type { PushNote, PushObserver } from './push-observer.ts';
import type { TenantRow } from './tenant-control.ts';
import { tenantOfKey } from './tenant-of-key.ts';
import { OTHER_TENANTS, TopTenants } from './top-tenants.ts';

/** The label of records whose key names no tenant (dead-lettered without a finance call). */
const NO_TENANT = 'none';

type Outcome = 'pushed' | 'skipped' | 'dead_lettered';
type Gauges = Record<'inFlight' | 'waiting' | 'oldest' | 'paused', Gauge<'tenant'>>;

const OUTCOMES: Record<PushNote['outcome'], Outcome> = {
  created: 'pushed',
  updated: 'pushed',
  skipped: 'skipped',
  dead_lettered: 'dead_lettered',
};

/**
 * Per-tenant metrics, labelled by tenant for the busiest `top` and `other` for the rest:
 * `invoice_sync_tenant_events_total{tenant,outcome}` (pushed, skipped, dead_lettered: the failures),
 * and, read from the scheduler at each scrape, `invoice_sync_tenant_in_flight`,
 * `invoice_sync_tenant_waiting`, `invoice_sync_tenant_oldest_wait_seconds` and `invoice_sync_tenant_paused`.
 */
export class TenantMetrics implements PushObserver {
  readonly #top: TopTenants;
  readonly #events: Counter<'tenant' | 'outcome'>;

  constructor(registry: Registry, top: number, rows: () => TenantRow[]) {
    this.#top = new TopTenants(top);
    this.#events = new Counter({
      name: 'invoice_sync_tenant_events_total',
      help: `Events of the pusher by tenant (the ${top} busiest; the rest as "${OTHER_TENANTS}") and outcome: pushed, skipped, dead_lettered.`,
      labelNames: ['tenant', 'outcome'],
      registers: [registry],
    });
    // Registered first, and its collect sets all four from one look at the scheduler (the top is
    // chosen again then): Prometheus reads the metrics in the order they were registered.
    const gauges = {} as Gauges;
    gauges.inFlight = this.#gauge(
      registry,
      'invoice_sync_tenant_in_flight',
      'Events of the tenant in progress toward finance.',
      () => this.#collect(rows(), gauges),
    );
    gauges.waiting = this.#gauge(
      registry,
      'invoice_sync_tenant_waiting',
      'Events of the tenant waiting: taken from Kafka and waiting for a slot, or parked in Kafka to be read again; held ones included.',
    );
    gauges.oldest = this.#gauge(
      registry,
      'invoice_sync_tenant_oldest_wait_seconds',
      'How long the tenant’s oldest waiting event has waited.',
    );
    gauges.paused = this.#gauge(
      registry,
      'invoice_sync_tenant_paused',
      'Tenants an operator has paused (1 for a tenant of its own).',
    );
  }

  note(note: PushNote): void {
    const tenant = tenantOfKey(note.key) || NO_TENANT;
    this.#top.count(tenant);
    this.#events.inc({ tenant: this.#top.labelOf(tenant), outcome: OUTCOMES[note.outcome] });
  }

  #gauge(registry: Registry, name: string, help: string, collect?: () => void): Gauge<'tenant'> {
    const labelled = `${help} By tenant (the busiest; the rest as "${OTHER_TENANTS}").`;
    return new Gauge({
      name,
      help: labelled,
      labelNames: ['tenant'],
      registers: [registry],
      ...(collect ? { collect } : {}),
    });
  }

  #collect(rows: TenantRow[], gauges: Gauges): void {
    for (const row of rows) this.#top.count(row.tenant || NO_TENANT, 0);
    for (const tenant of this.#top.choose()) {
      for (const outcome of new Set(Object.values(OUTCOMES))) this.#events.remove({ tenant, outcome });
    }
    const byLabel = new Map<
      string,
      { inFlight: number; waiting: number; oldestMs: number; paused: number }
    >();
    for (const row of rows) {
      const label = this.#top.labelOf(row.tenant || NO_TENANT);
      const sum = byLabel.get(label) ?? { inFlight: 0, waiting: 0, oldestMs: 0, paused: 0 };
      sum.inFlight += row.inFlight;
      sum.waiting += row.waiting;
      sum.oldestMs = Math.max(sum.oldestMs, row.oldestWaitMs);
      sum.paused += row.pause ? 1 : 0;
      byLabel.set(label, sum);
    }
    for (const gauge of Object.values(gauges)) gauge.reset();
    for (const [tenant, sum] of byLabel) {
      gauges.inFlight.set({ tenant }, sum.inFlight);
      gauges.waiting.set({ tenant }, sum.waiting);
      gauges.oldest.set({ tenant }, sum.oldestMs / 1000);
      gauges.paused.set({ tenant }, sum.paused);
    }
  }
}
