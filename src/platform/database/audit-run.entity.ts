import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/**
 * One `audit` run: when, which invoices, what it read, found (counts per class, the first keys of
 * each) and repaired. Written by the command with plain SQL (src/audit/audit-runs.ts), read by the
 * service's console and metric. Mapped only so the schema generator agrees with the migration.
 */
export const AuditRun = defineEntity({
  name: 'AuditRun',
  tableName: 'audit_runs',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    started_at: p.datetime(),
    finished_at: p.datetime().index('audit_runs_finished_at_index'),
    selection: p.text(),
    read: p.json<unknown>(),
    counts: p.json<unknown>(),
    keys: p.json<unknown>(),
    repair: p.json<unknown>().nullable(),
  },
});

export type AuditRun = InferEntity<typeof AuditRun>;
