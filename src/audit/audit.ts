import type { MikroORM } from '@mikro-orm/postgresql';
import type { CloudInvoiceRepository } from '../platform/database/cloud-invoice.repository.ts';
import type { PushPlatform } from '../push/create-pusher.ts';
import { classify, countClasses, listKeys } from './audit-classes.ts';
import { repair } from './audit-repair.ts';
import { type AuditReport, AuditRuns, auditReport, driftLeft } from './audit-runs.ts';
import { type AuditSelection, describeSelection } from './audit-selection.ts';
import { withAuditSession } from './audit-session.ts';
import { stageTopics } from './audit-staging.ts';
import { createAuditTables } from './audit-tables.ts';

/** What an audit needs: the topics to read, the pusher's parts to repair with, the database. */
export interface AuditPlatform extends PushPlatform {
  database: { orm: MikroORM; repository: CloudInvoiceRepository };
}

export interface AuditOptions {
  selection: AuditSelection;
  /** Re-push never pushed and stale invoices, record pushed but unrecorded ones. */
  repair: boolean;
}

/** Invoice keys listed per class in a report (and kept with the run); the counts are exact. */
export const LISTED_KEYS = 100;

/**
 * Reconciles finance's record with the topics: stages both topics into temporary tables (a batch
 * in Node at a time), classifies every selected invoice with joins against cloud_invoices, repairs
 * when asked, and keeps the report in `audit_runs` for the service's console and metric.
 */
export async function runAudit(infra: AuditPlatform, options: AuditOptions): Promise<AuditReport> {
  const startedAt = new Date().toISOString();
  const report = await withAuditSession(infra.database.orm, async (sql) => {
    await createAuditTables(sql);
    const read = await stageTopics(infra, sql);
    await classify(sql, options.selection);
    const counts = await countClasses(sql);
    const keys = await listKeys(sql, LISTED_KEYS);
    const repaired = options.repair ? await repair(infra, sql) : null;
    return auditReport({
      started_at: startedAt,
      finished_at: new Date().toISOString(),
      selection: describeSelection(options.selection),
      read,
      counts,
      keys,
      repair: repaired,
    });
  });
  await new AuditRuns(infra.database.orm).save(report);
  infra.log.info(
    {
      selection: report.selection,
      counts: report.counts,
      drift: report.drift,
      drift_left: driftLeft(report),
    },
    'audit finished',
  );
  return report;
}
