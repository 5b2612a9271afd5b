import { describe, expect, it } from 'vitest';
import { type AuditReport, auditReport } from '../../src/audit/audit-runs.ts';
import { auditPage } from '../../src/console/audit-view.ts';
import { layout } from '../../src/console/layout.ts';

// Keys come from records anyone may produce: escaped, isolated, their controls shown.
const HOSTILE_KEY = 'acme:aws:<img src=x onerror=alert(1)>\u0000\u202eINV';
const signedIn = { signedIn: 'ops' };

function report(repair: AuditReport['repair']): AuditReport {
  return auditReport({
    started_at: '2026-05-01T10:00:00.000Z',
    finished_at: '2026-05-01T10:00:41.000Z',
    selection: 'period 2026-04',
    read: { ingested: 1000, pushed: 990, unreadable_pushed: 0 },
    counts: {
      never_pushed: 25,
      pushed_not_recorded: 0,
      stale: 1,
      recorded_without_event: 0,
      unpushable: 0,
      fine: 974,
    },
    keys: {
      never_pushed: Array.from({ length: 25 }, (_, i) => `acme:aws:INV-${String(i).padStart(2, '0')}`),
      pushed_not_recorded: [],
      stale: [HOSTILE_KEY],
      recorded_without_event: [],
      unpushable: [],
    },
    repair,
  });
}

describe('the Audit page', () => {
  it('shows the last run: time, counts, the first keys escaped and linked, and the drift left', () => {
    const page = layout(auditPage(report(null)), signedIn);
    expect(page).toContain('Last run finished <time>2026-05-01 10:00:41Z</time>');
    expect(page).toContain('<td>never pushed</td><td class="num">25</td>');
    expect(page).toContain('and 5 more'); // 20 keys shown of 25
    expect(page).toContain('Drift left: 26 invoices.');
    expect(page).not.toMatch(/<img/);
    expect(page).toContain(
      'acme:aws:&lt;img src=x onerror=alert(1)&gt;\u2400<span class="ctl">U+202E</span>INV',
    );
    expect(page).toContain(`href="/invoices?key=${encodeURIComponent(HOSTILE_KEY)}"`);
    expect(page).toContain('aria-current="page">Audit</a>');
    expect(page).not.toContain('<script');
  });

  it('after a repair, says what it fixed and that no drift is left; before any run, how to run one', () => {
    const fixed = { never_pushed: 25, pushed_not_recorded: 0, stale: 1 };
    const page = layout(auditPage(report({ fixed, dead_lettered: 0, stale_ignored: 0 })), signedIn);
    expect(page).toContain('No drift left.');
    expect(page).toContain(
      'Repaired: 25 never pushed and 1 stale pushed to finance and recorded; 0 recorded.',
    );
    expect(layout(auditPage(undefined), signedIn)).toContain('No audit has run yet.');
  });
});
