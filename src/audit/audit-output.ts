import type { CommandOutput } from '../operator/command-output.ts';
import { type AuditClass, DRIFT_CLASSES, NOTICE_CLASSES } from './audit-classes.ts';
import { type AuditReport, driftLeft } from './audit-runs.ts';

/** How each class reads in the text report and on the console's Audit page. */
export const CLASS_LABELS: Record<AuditClass | 'fine', string> = {
  never_pushed: 'never pushed',
  pushed_not_recorded: 'pushed, not recorded',
  stale: 'stale',
  recorded_without_event: 'recorded without event',
  unpushable: 'unpushable',
  fine: 'fine',
};

export const CLASS_NOTES: Record<AuditClass | 'fine', string> = {
  never_pushed: 'the newest version has no row and finance never got it',
  pushed_not_recorded: 'finance got the newest version; cloud_invoices does not say so',
  stale: 'cloud_invoices holds another payload than the newest version',
  recorded_without_event: 'not drift: a row with no lines_ingested event to push it from; left alone',
  unpushable: 'not drift: the newest version is one the pusher dead-letters (see dlq list)',
  fine: 'cloud_invoices holds the newest version',
};

const TEXT_KEYS = 10; // per class in the text report; --json lists more

/** The exit code of an audit: 1 while drift is left (found and not repaired), else 0. */
export function auditExitCode(report: AuditReport): number {
  return driftLeft(report) > 0 ? 1 : 0;
}

/** Prints the report: one JSON object with `--json`, else a few lines for a person. */
export function printAudit(report: AuditReport, output: CommandOutput, json: boolean): void {
  if (json) output.out(JSON.stringify(report));
  else for (const line of auditText(report)) output.out(line);
}

function auditText(report: AuditReport): string[] {
  const { read } = report;
  const lines = [
    `audit of ${report.selection} invoices, ${report.started_at} to ${report.finished_at}`,
    `read ${read.ingested} lines_ingested records, ${read.pushed} announcements${read.unreadable_pushed ? ` (${read.unreadable_pushed} unreadable, ignored)` : ''}`,
  ];
  for (const name of [...DRIFT_CLASSES, ...NOTICE_CLASSES, 'fine'] as const) {
    lines.push(
      `  ${CLASS_LABELS[name].padEnd(24)}${String(report.counts[name]).padStart(9)}  ${CLASS_NOTES[name]}`,
    );
    if (name !== 'fine') lines.push(...keyLines(report.keys[name], report.counts[name]));
  }
  if (report.repair) {
    const { fixed } = report.repair;
    lines.push(
      `repair: ${fixed.never_pushed} never pushed and ${fixed.stale} stale pushed to finance and recorded, ${fixed.pushed_not_recorded} recorded; ${report.repair.dead_lettered} dead-lettered, ${report.repair.stale_ignored} found newer recorded`,
    );
  }
  const left = driftLeft(report);
  lines.push(left === 0 ? 'no drift left' : `drift left: ${left} invoices (exit 1)`);
  return lines;
}

function keyLines(keys: string[], count: number): string[] {
  const shown = keys.slice(0, TEXT_KEYS).map((key) => `      ${JSON.stringify(key)}`);
  return count > shown.length ? [...shown, `      … and ${count - shown.length} more`] : shown;
}
