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

/** The tenant's number in `table`: its own, else the one of `*`, else `fallback`. */
export function tenantValue(table: TenantTable, tenant: string, fallback: number): number {
  return table[tenant] ?? table['*'] ?? fallback;
}
