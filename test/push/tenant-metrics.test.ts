import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { TenantRow } from '../../src/push/tenant-control.ts';
import { TenantMetrics } from '../../src/push/tenant-metrics.ts';
import { TopTenants } from '../../src/push/top-tenants.ts';

const pushed = (tenant: string) =>
  ({ outcome: 'skipped', at: 0, key: `${tenant}:aws:INV-1`, sha256: 'ab' }) as const;

function row(tenant: string, waiting: number, paused = false): TenantRow {
  return {
    tenant,
    pause: paused
      ? { tenant_id: tenant, paused_at: '2026-12-04T20:00:00.000Z', paused_by: 'cli', reason: null }
      : undefined,
    inFlight: 1,
    waiting,
    parked: 0,
    oldestWaitMs: waiting * 1_000,
    reason: paused ? 'held' : 'turn',
  };
}

describe('TopTenants', () => {
  it('labels the busiest tenants once the top is chosen, and counts the rest as other', () => {
    const top = new TopTenants(2);
    for (const [tenant, events] of [
      ['a', 1],
      ['b', 50],
      ['c', 40],
      ['d', 30],
    ] as const)
      top.count(tenant, events);
    expect(top.choose()).toEqual([]);
    expect(['a', 'b', 'c', 'd'].map((t) => top.labelOf(t))).toEqual(['other', 'b', 'c', 'other']);
    top.count('d', 100);
    expect(top.choose()).toEqual(['c']);
    expect(top.labelOf('d')).toBe('d');
  });

  it('finds a heavy tenant among many more tenants than it keeps counters for', () => {
    const top = new TopTenants(1);
    for (let i = 0; i < 1_000; i++) {
      top.count(`rare-${i}`);
      top.count('heavy');
    }
    top.choose();
    expect(top.labelOf('heavy')).toBe('heavy');
    expect(top.labelOf('rare-999')).toBe('other');
  });
});

describe('TenantMetrics', () => {
  it('keeps the series bounded: the top tenants and one other, whatever the tenant count', async () => {
    const registry = new Registry();
    const rows = Array.from({ length: 50 }, (_, i) => row(`t${i}`, i, i === 49));
    const metrics = new TenantMetrics(registry, 3, () => rows);
    for (let i = 0; i < 50; i++) for (let n = 0; n <= i; n++) metrics.note(pushed(`t${i}`));
    const text = await registry.metrics();
    const series = (name: string) => text.split('\n').filter((line) => line.startsWith(`${name}{`));
    expect(series('invoice_sync_tenant_waiting').sort()).toEqual(
      [
        'invoice_sync_tenant_waiting{tenant="other"} 1081',
        'invoice_sync_tenant_waiting{tenant="t47"} 47',
        'invoice_sync_tenant_waiting{tenant="t48"} 48',
        'invoice_sync_tenant_waiting{tenant="t49"} 49',
      ].sort(),
    );
    expect(series('invoice_sync_tenant_paused')).toContain('invoice_sync_tenant_paused{tenant="t49"} 1');
    expect(series('invoice_sync_tenant_oldest_wait_seconds')).toContain(
      'invoice_sync_tenant_oldest_wait_seconds{tenant="other"} 46',
    );
    // The counter: the first tenants took the top's places until a scrape chose the busiest; those went.
    expect(series('invoice_sync_tenant_events_total').length).toBeLessThanOrEqual(4);
    metrics.note(pushed('t49'));
    expect(await registry.getSingleMetricAsString('invoice_sync_tenant_events_total')).toContain(
      'invoice_sync_tenant_events_total{tenant="t49",outcome="skipped"}',
    );
  });
});
