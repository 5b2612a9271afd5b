import { DRIFT_CLASSES, NOTICE_CLASSES } from '../audit/audit-classes.ts';
import { CLASS_LABELS, CLASS_NOTES } from '../audit/audit-output.ts';
import { type AuditReport, driftLeft } from '../audit/audit-runs.ts';
import { utc } from './format.ts';
import { bidi, html, type SafeHtml } from './html.ts';
import type { Page } from './layout.ts';

const KEYS_SHOWN = 20; // per class; `audit --json` lists up to 100, the counts are exact

/** The last audit run, wherever it ran (`audit` from cron, or by hand): what it found and repaired. */
export function auditPage(report: AuditReport | undefined): Page {
  return { title: 'Audit', section: 'audit', body: report ? runView(report) : noRun() };
}

function noRun(): SafeHtml {
  return html`<p class="empty">No audit has run yet. <code>invoice-finance-sync audit</code> (cron) or <code>audit --repair</code> records its result here.</p>`;
}

function runView(report: AuditReport): SafeHtml {
  const left = driftLeft(report);
  const verdict =
    left === 0
      ? html`<p class="ok" id="verdict">No drift left.</p>`
      : html`<p class="error" id="verdict">Drift left: ${left} invoices. <code>audit --repair</code> fixes what it can.</p>`;
  const { read } = report;
  return html`<p id="last-run">Last run finished <time>${utc(Date.parse(report.finished_at))}</time> (started ${utc(Date.parse(report.started_at))}), ${report.selection} invoices; read ${read.ingested} lines_ingested records and ${read.pushed} announcements.</p>
${verdict}
<table class="audit"><thead><tr><th>class</th><th class="num">invoices</th><th>meaning</th><th>first keys</th></tr></thead>
<tbody>${[...DRIFT_CLASSES, ...NOTICE_CLASSES].map((name) => classRow(report, name))}
<tr class="fine"><td>${CLASS_LABELS.fine}</td><td class="num">${report.counts.fine}</td><td class="muted">${CLASS_NOTES.fine}</td><td></td></tr></tbody></table>
${report.repair ? repairView(report) : html`<p class="muted">Not a repair run.</p>`}`;
}

function classRow(
  report: AuditReport,
  name: (typeof DRIFT_CLASSES)[number] | (typeof NOTICE_CLASSES)[number],
) {
  const keys = report.keys[name].slice(0, KEYS_SHOWN);
  const more = report.counts[name] - keys.length;
  return html`<tr class="${name.replaceAll('_', '-')}"><td>${CLASS_LABELS[name]}</td><td class="num">${report.counts[name]}</td><td class="muted">${CLASS_NOTES[name]}</td><td>${keys.map(
    (key) => html`<a href="/invoices?key=${encodeURIComponent(key)}">${bidi(key)}</a> `,
  )}${more > 0 ? html`<span class="muted">and ${more} more</span>` : ''}</td></tr>`;
}

function repairView(report: AuditReport): SafeHtml {
  const repair = report.repair;
  if (!repair) return html``;
  const { fixed } = repair;
  return html`<p id="repair">Repaired: ${fixed.never_pushed} never pushed and ${fixed.stale} stale pushed to finance and recorded; ${fixed.pushed_not_recorded} recorded. ${repair.dead_lettered} dead-lettered, ${repair.stale_ignored} found newer recorded.</p>`;
}
