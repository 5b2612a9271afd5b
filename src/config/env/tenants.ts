import { z } from 'zod';
import { defineVars } from './define-vars.ts';
import { bool, int } from './value-schemas.ts';

const TENANT_ID = /^[A-Za-z0-9._-]{1,64}$/; // as DESIGN.md's identifiers

/**
 * "acme=3,globex=1": a whole number by tenant (1-`max`); `*=n` gives every tenant not named its n.
 * An empty text is an empty table.
 */
const tenantTable = (max: number) =>
  z.string().transform((s, ctx) => {
    // No prototype: `__proto__=3` is a tenant's entry like any other.
    const table: Record<string, number> = Object.create(null);
    for (const entry of s.split(',').filter((e) => e.trim() !== '')) {
      const [tenant = '', value = ''] = entry.split('=').map((part) => part.trim());
      const number = Number(value);
      if (
        !(tenant === '*' || TENANT_ID.test(tenant)) ||
        !/^\d{1,7}$/.test(value) ||
        number < 1 ||
        number > max
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `expected "tenant=n,..." (n 1-${max}, * for any other tenant) but got "${entry}"`,
        });
        return z.NEVER;
      }
      table[tenant] = number;
    }
    return table;
  });

// 5,000 records and 8 MiB: a backlog of 100,000 invoices stays within the memory budget (BENCHMARKS.md:
// a read-ahead of 20,000 33-line invoices, 23 MB of keys and values, costs about 110 MiB of resident
// memory, 4 KiB a record held). A flood deeper than it is parked in Kafka, not held.
export const TENANT_VARS = defineVars('Tenants: fair scheduling, limits, pauses', {
  PUSHER_FAIR_SCHEDULING: {
    default: 'true',
    doc: 'Hand finance calls to tenants in turn (the tenant is the record key’s first part), reading ahead within PUSHER_READ_AHEAD_*; false: in offset order, as records come (no weights, limits or pauses then).',
    schema: bool,
  },
  PUSHER_READ_AHEAD_RECORDS: {
    default: '5000',
    doc: 'With fair scheduling: records the pusher takes from Kafka ahead of those finished, across its partitions (bounds memory); once it is half full, a tenant holding its share of it is parked: its next records stay in Kafka and are read again in order.',
    schema: int(1, 1_000_000),
  },
  PUSHER_READ_AHEAD_BYTES: {
    default: '8388608',
    doc: 'With fair scheduling: bytes of record keys and values taken ahead of those finished (8 MiB); each record held costs about 4 KiB of memory in all.',
    schema: int(65_536, 1_073_741_824),
  },
  TENANT_WEIGHTS: {
    default: '',
    doc: 'Shares of finance calls by tenant when several wait: "acme=3,globex=1"; unnamed tenants have 1 (or `*=n`).',
    schema: tenantTable(10_000),
  },
  TENANT_MAX_IN_FLIGHT: {
    default: '',
    doc: 'Most events of one tenant in progress toward finance at once: "*=8,acme=16" (`*` every tenant not named); empty: no cap but PUSHER_MAX_IN_FLIGHT.',
    schema: tenantTable(1_024),
  },
  TENANT_MAX_RATE: {
    default: '',
    doc: 'Most finance pushes of one tenant per second: "*=50,acme=200"; empty: no rate of its own.',
    schema: tenantTable(100_000),
  },
  TENANT_PAUSE_CHECK_MS: {
    default: '2000',
    doc: 'How often the pusher reads which tenants are paused (`tenants pause`, the console), in ms.',
    schema: int(100, 600_000),
  },
  TENANT_METRICS_TOP: {
    default: '20',
    doc: 'Tenants with labels of their own in the per-tenant metrics, the busiest first; the rest are counted as `other`.',
    schema: int(1, 1_000),
  },
});
