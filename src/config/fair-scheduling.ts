import type { Env } from './env-schema.ts';

/** A number by tenant; `*` holds the one of every tenant not named. */
export type TenantTable = Readonly<Record<string, number>>;

/** How the pusher shares finance between tenants (PUSHER_FAIR_SCHEDULING, PUSHER_READ_AHEAD_*, TENANT_*). */
export interface FairScheduling {
  readAheadRecords: number;
  readAheadBytes: number;
  /** Shares by tenant; a tenant not named has 1. */
  weights: TenantTable;
  /** Caps of events in progress by tenant; none when not named. */
  maxInFlight: TenantTable;
  /** Pushes per second by tenant; none when not named. */
  maxRate: TenantTable;
  pauseCheckMs: number;
  /** Tenants with labels of their own in the per-tenant metrics. */
  metricsTop: number;
}

/** The pusher's fair scheduling, or undefined when PUSHER_FAIR_SCHEDULING is off (offset order). */
export function fairScheduling(env: Env): FairScheduling | undefined {
  if (!env.PUSHER_FAIR_SCHEDULING) return undefined;
  return {
    readAheadRecords: env.PUSHER_READ_AHEAD_RECORDS,
    readAheadBytes: env.PUSHER_READ_AHEAD_BYTES,
    weights: env.TENANT_WEIGHTS,
    maxInFlight: env.TENANT_MAX_IN_FLIGHT,
    maxRate: env.TENANT_MAX_RATE,
    pauseCheckMs: env.TENANT_PAUSE_CHECK_MS,
    metricsTop: env.TENANT_METRICS_TOP,
  };
}

/**
 * The tenant's number in `table`: its own, else the one of `*`, else `fallback`. Only the table's own
 * entries count: a tenant named `valueOf` or `constructor` is a tenant like any other, not a function
 * inherited from Object.prototype (whose NaN weight once stopped the scheduler handing it a slot).
 */
export function tenantValue(table: TenantTable, tenant: string, fallback: number): number {
  if (Object.hasOwn(table, tenant)) return table[tenant] ?? fallback;
  return Object.hasOwn(table, '*') ? (table['*'] ?? fallback) : fallback;
}
