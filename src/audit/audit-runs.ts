import type { MikroORM } from '@mikro-orm/postgresql';
import type { AuditSample } from '../ops/metrics.ts';
import { withDatabaseErrors } from '../platform/database/database-errors.ts';
import { type AuditClass, type ClassCounts, DRIFT_CLASSES, type DriftClass } from './audit-classes.ts';
import type { RepairSummary } from './audit-repair.ts';
import type { StagedCounts } from './audit-staging.ts';

/** One audit run as `audit --json` prints it and `audit_runs` keeps it. */
export interface AuditReport {
  started_at: string;
  finished_at: string;
  /** `all`, `period 2026-04` or `since 2026-05-01T00:00:00.000Z`. */
  selection: string;
  /** Records read: lines_ingested, readable announcements, and announcements nothing can record. */
  read: StagedCounts;
  /** Invoices per class, `fine` included. */
  counts: ClassCounts;
  /** Invoices of the drift classes found. */
  drift: number;
  /** Drift left after the run, by class: what was found, less what `--repair` fixed. */
  left: Record<DriftClass, number>;
  /** The first invoice keys of each class (at most `AUDIT_LISTED_KEYS` each), in key order. */
  keys: Record<AuditClass, string[]>;
  /** What `--repair` did; null without it. */
  repair: RepairSummary | null;
}

/** Runs kept in `audit_runs`; older ones are deleted as new ones are written. */
const KEPT_RUNS = 100;

interface RunRow {
  started_at: Date | string;
  finished_at: Date | string;
  selection: string;
  read: StagedCounts | string;
  counts: ClassCounts | string;
  keys: Record<AuditClass, string[]> | string;
  repair: RepairSummary | string | null;
}

function json<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** Where audit runs are kept for the service: the console's Audit page and the drift metric. */
export class AuditRuns {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  async save(report: AuditReport): Promise<void> {
    await withDatabaseErrors('saveAuditRun', {}, async () => {
      const connection = this.#orm.em.getConnection();
      await connection.execute(
        `insert into audit_runs (started_at, finished_at, selection, read, counts, keys, repair)
         values (cast(? as timestamptz), cast(? as timestamptz), ?, cast(? as jsonb), cast(? as jsonb),
                 cast(? as jsonb), cast(? as jsonb))`,
        [
          report.started_at,
          report.finished_at,
          report.selection,
          JSON.stringify(report.read),
          JSON.stringify(report.counts),
          JSON.stringify(report.keys),
          report.repair === null ? null : JSON.stringify(report.repair),
        ],
      );
      await connection.execute(
        'delete from audit_runs where id <= (select id from audit_runs order by id desc offset ? limit 1)',
        [KEPT_RUNS],
      );
    });
  }

  /** The last run to finish, if any: one read of the newest row by its index. */
  async last(): Promise<AuditReport | undefined> {
    return withDatabaseErrors('lastAuditRun', {}, async () => {
      const [row] = await this.#orm.em
        .getConnection()
        .execute<RunRow[]>(
          'select started_at, finished_at, selection, read, counts, keys, repair from audit_runs order by finished_at desc, id desc limit 1',
        );
      return row === undefined ? undefined : reportOf(row);
    });
  }
}

function reportOf(row: RunRow): AuditReport {
  return auditReport({
    started_at: new Date(row.started_at).toISOString(),
    finished_at: new Date(row.finished_at).toISOString(),
    selection: row.selection,
    read: json<StagedCounts>(row.read),
    counts: json<ClassCounts>(row.counts),
    keys: json<Record<AuditClass, string[]>>(row.keys),
    repair: row.repair === null ? null : json<RepairSummary>(row.repair),
  });
}

/** A report from what a run found and repaired: the drift found, and what is left of it. */
export function auditReport(found: Omit<AuditReport, 'drift' | 'left'>): AuditReport {
  const left = Object.fromEntries(
    DRIFT_CLASSES.map((name) => [name, found.counts[name] - (found.repair?.fixed[name] ?? 0)]),
  ) as Record<DriftClass, number>;
  const drift = DRIFT_CLASSES.reduce((sum, name) => sum + found.counts[name], 0);
  return { ...found, drift, left };
}

/** Invoices of the drift classes left after the run: the audit exits 1 when there are any. */
export function driftLeft(report: AuditReport): number {
  return DRIFT_CLASSES.reduce((sum, name) => sum + report.left[name], 0);
}

/** What the metric shows of a run: drift left per class, the notices as found, when it finished. */
export function auditSample(report: AuditReport): AuditSample {
  return {
    byClass: {
      ...report.left,
      recorded_without_event: report.counts.recorded_without_event,
      unpushable: report.counts.unpushable,
    },
    finishedAtMs: Date.parse(report.finished_at),
  };
}
