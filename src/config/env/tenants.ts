import { z } from 'zod';
import { defineVars } from './define-vars.ts';
import { bool, int } from './value-schemas.ts';

const TENANT_ID = /^[A-Za-z0-9._-]{1,64}$/; // as DESIGN.md's identifiers

/** "acme=3,globex=1": a whole-number share of finance calls per tenant; a tenant not named has 1. */
const tenantWeights = z.string().transform((s, ctx) => {
  const table: Record<string, number> = {};
  for (const entry of s.split(',').filter((e) => e.trim() !== '')) {
    const [tenant = '', weight = ''] = entry.split('=').map((part) => part.trim());
    const share = Number(weight);
    if (!TENANT_ID.test(tenant) || !/^\d{1,4}$/.test(weight) || share < 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected "tenant=weight,..." (weight 1-9999) but got "${entry}"`,
      });
      return z.NEVER;
    }
    table[tenant] = share;
  }
  return table;
});

// 20,000 records and 32 MiB: a year of one tenant's invoices re-ingested in front of another tenant's
// one invoice fits the read-ahead (20,000 33-line invoices are 23 MB of keys and values), and a
// backlog stays within the memory budget (BENCHMARKS.md).
export const TENANT_VARS = defineVars('Tenants: fair scheduling', {
  PUSHER_FAIR_SCHEDULING: {
    default: 'true',
    doc: 'Hand finance calls to tenants in turn (the tenant is the record key’s first part), reading ahead within PUSHER_READ_AHEAD_*; false: in offset order, as records come.',
    schema: bool,
  },
  PUSHER_READ_AHEAD_RECORDS: {
    default: '20000',
    doc: 'With fair scheduling: records the pusher takes from Kafka ahead of those finished, across its partitions (bounds memory and how deep a flood other tenants see past).',
    schema: int(1, 1_000_000),
  },
  PUSHER_READ_AHEAD_BYTES: {
    default: '33554432',
    doc: 'With fair scheduling: bytes of record keys and values taken ahead of those finished (32 MiB).',
    schema: int(65_536, 1_073_741_824),
  },
  TENANT_WEIGHTS: {
    default: '',
    doc: 'Shares of finance calls by tenant when several wait: "acme=3,globex=1"; unnamed tenants have 1.',
    schema: tenantWeights,
  },
});
