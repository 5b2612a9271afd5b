import { describe, expect, it } from 'vitest';
import { deadLetterPage } from '../../src/console/dead-letter-detail-view.ts';
import { layout } from '../../src/console/layout.ts';
import { overviewPage, type ServiceStatus } from '../../src/console/overview-view.ts';
import { pushesPage } from '../../src/console/pushes-view.ts';
import type { DeadLetterView } from '../../src/dead-letters/dead-letter-view.ts';
import type { PushNote } from '../../src/push/push-observer.ts';

const HOSTILE_KEY = 'acme:aws:<img src=x onerror=alert(1)>\u0000\u202eINV';
const signedOut = { signedIn: undefined };

const notes: PushNote[] = [
  {
    outcome: 'created',
    at: Date.parse('2026-05-01T10:00:00Z'),
    key: HOSTILE_KEY,
    financeInvoiceId: 'f-1',
    currency: 'JPY',
    totals: { gross: 1200, tax: 200, net: 1000 },
    latencyMs: 42,
    sha256: 'ab'.repeat(32),
  },
  {
    outcome: 'dead_lettered',
    at: Date.parse('2026-05-01T10:00:01Z'),
    key: 'acme:aws:INV-2',
    consumer: 'pusher',
    source: { topic: 'invoice.lines_ingested', partition: 3, offset: '17' },
    code: 'FINANCE_REJECTED',
    reason: 'finance rejected the invoice (HTTP 422): {"errors":{"lines":["<b>bad</b>"]}}',
  },
];

describe('console pages render data as text, never as markup', () => {
  it('recent pushes: figures in the currency’s units, keys escaped and isolated, controls shown', () => {
    const page = layout(
      pushesPage({ notes, filter: {}, facets: { tenants: ['acme'], providers: ['aws'] }, capacity: 500 }),
      signedOut,
    );
    expect(page).not.toMatch(/<img|<b>bad/);
    expect(page).toContain(
      'acme:aws:&lt;img src=x onerror=alert(1)&gt;\u2400<span class="ctl">U+202E</span>INV',
    );
    expect(page).toContain(
      '<td class="num">1,200 JPY</td><td class="num">200</td><td class="num">1,000</td><td class="num">42 ms</td>',
    );
    expect(page).toContain(
      '<code>FINANCE_REJECTED</code> finance rejected the invoice (HTTP 422): {&quot;errors&quot;',
    );
    expect(page).toContain('<meta http-equiv="refresh" content="10">');
    expect(page).not.toContain('<script');
  });

  it('a dead letter: headers and the decoded body escaped, the action offered to sign in for', () => {
    const view: DeadLetterView = {
      topic: 'invoice.lines_ingested.dlq',
      partition: 0,
      offset: '4',
      failedAt: 0,
      key: HOSTILE_KEY,
      keyBytes: Buffer.from(HOSTILE_KEY),
      value: Buffer.from('x'),
      headers: { '__connect.errors.exception.message': '<script>x</script>' },
      rawHeaders: {},
      source: { topic: 'invoice.lines_ingested', partition: 1, offset: '9' },
      errorCode: 'INVOICE_TOTAL_MISMATCH',
      reason: '<script>x</script>',
    };
    const decoded = {
      decoded: true as const,
      schemaId: 1,
      as: 'InvoicePushedToFinance',
      value: { note: '</pre><script>' },
    };
    const page = layout(deadLetterPage('pusher', { view, value: decoded }, signedOut), signedOut);
    expect(page).not.toMatch(/<script>|<\/pre><script/);
    expect(page).toContain('&quot;note&quot;: &quot;&lt;/pre&gt;&lt;script&gt;&quot;');
    expect(page).toContain('<input type="hidden" name="offset" value="0:4">');
    expect(page).toContain('You will be asked to <a href="/login">sign in</a>.');
  });

  it('overview of a service that is not ready says why, and who is signed in', () => {
    const signedIn = { signedIn: 'Ann <b>' };
    const status: ServiceStatus = {
      ready: false,
      consumers: [],
      finance: { enabled: false, reason: 'finance is not configured: set FINANCE_JWT_SECRET' },
      database: { ok: true },
      registry: { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:8081' },
      kafka: { ok: true },
    };
    const page = layout(
      overviewPage({ status, lag: [], inFlight: {}, outcomes: {}, lagIntervalSeconds: 5, now: 0 }),
      signedIn,
    );
    expect(page).toContain('<span class="pill bad">NOT READY</span>');
    expect(page).toContain('<p class="error">connect ECONNREFUSED 127.0.0.1:8081</p>');
    expect(page).toContain('finance is not configured: set FINANCE_JWT_SECRET');
    expect(page).toContain('<span>Ann &lt;b&gt;</span>');
  });
});
