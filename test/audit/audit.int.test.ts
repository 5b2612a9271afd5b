import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/audit.ts';
import { auditExitCode } from '../../src/audit/audit-output.ts';
import type { AuditReport } from '../../src/audit/audit-runs.ts';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { type InvoiceLinesIngested, invoiceKey } from '../../src/invoice/invoice-events.ts';
import { normalizeInvoice } from '../../src/invoice/normalize-invoice.ts';
import { publishAt } from '../helpers/command-test-kit.ts';
import { eventually } from '../helpers/eventually.ts';
import { produce, testKafka } from '../helpers/kafka.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { serviceForTest, smallInvoice } from '../helpers/service.ts';

const CLI = fileURLToPath(new URL('../../bin/invoice-finance-sync.ts', import.meta.url));

/** The CLI in a child process, without blocking this one (its finance server must answer the CLI). */
function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const TOKEN = 'audit-console-token-of-at-least-32-chars';

describe('audit: reconciles cloud_invoices with the newest ingested version of every invoice', () => {
  it('reports each drift class exactly; --repair fixes them, calling finance only for what needs a push; a second audit exits 0', async () => {
    const pipe = await pipelineForTest({ roles: { pusher: true, recorder: true } });
    const { infra, finance, env } = pipe;
    const repository = infra.database.repository;
    const recorded = (event: InvoiceLinesIngested) =>
      eventually(
        async () =>
          (await repository.recordedPayloadSha(
            event.tenant_id,
            event.provider,
            event.provider_invoice_id,
          )) === normalizeInvoice(event).sha256
            ? true
            : undefined,
        { what: `${invoiceKey(event)} recorded` },
      );

    // Fine (A, F), a row to delete (C), the first version of D: pushed and recorded.
    const [a, c, d1, f] = ['INV-A', 'INV-C', 'INV-D', 'INV-F'].map((id) => smallInvoice(id)) as [
      InvoiceLinesIngested,
      InvoiceLinesIngested,
      InvoiceLinesIngested,
      InvoiceLinesIngested,
    ];
    for (const event of [a, c, d1, f]) await publishAt(infra, event);
    for (const event of [a, c, d1, f]) await recorded(event);
    await pipe.service.stop();

    // The recorder stopped: E is pushed and announced, never recorded.
    const pusherOnly = await serviceForTest(env, { pusher: true, recorder: false });
    const e = smallInvoice('INV-E');
    await publishAt(infra, e);
    await eventually(() =>
      finance.invoices().some((row) => row.external_id === 'INV-E') ? true : undefined,
    );
    const pushed = await pipe.pushed();
    await pushed.waitFor(5);
    await pusherOnly.stop();

    // Nothing runs now: B is never pushed, D's newer version never pushed (its row holds D1: stale),
    // C's row is deleted, G's row has no event, and H's newest record is one the pusher dead-letters.
    const b = smallInvoice('INV-B');
    const d2 = smallInvoice('INV-D', [3000, 300]);
    await publishAt(infra, b);
    await publishAt(infra, d2);
    await produce(testKafka(), env.TOPIC_LINES_INGESTED as string, [
      { key: 'platform-admin:digitalocean:INV-H', value: Buffer.from('not avro'), partition: 0 },
    ]);
    await infra.database.orm.em
      .fork()
      .execute(`delete from cloud_invoices where provider_invoice_id = 'INV-C'`);
    await repository.recordPush({
      event_id: '00000000-0000-4000-8000-000000000001',
      tenant_id: 'platform-admin',
      provider: 'digitalocean',
      provider_invoice_id: 'INV-G',
      invoice_period: Date.UTC(2026, 3, 1) / 86_400_000,
      amount_gross_minor: 500,
      pushed_at: Date.now(),
      finance_invoice_id: 'finance-id-of-G',
      payload_sha256: 'f'.repeat(64),
    });
    const importsBefore = finance.imports().length;

    const found = await cli(['audit', '--json'], env);
    expect(found.code, found.stderr).toBe(1);
    const report = JSON.parse(found.stdout) as AuditReport;
    const key = (id: string) => `platform-admin:digitalocean:${id}`;
    expect(report.counts).toEqual({
      never_pushed: 1,
      pushed_not_recorded: 2,
      stale: 1,
      recorded_without_event: 1,
      unpushable: 1,
      fine: 2,
    });
    expect(report.keys).toEqual({
      never_pushed: [key('INV-B')],
      pushed_not_recorded: [key('INV-C'), key('INV-E')],
      stale: [key('INV-D')],
      recorded_without_event: [key('INV-G')],
      unpushable: [key('INV-H')],
    });
    expect(report).toMatchObject({
      selection: 'all',
      drift: 4,
      repair: null,
      read: { ingested: 8, pushed: 5 },
    });

    const text = await cli(['audit', '--period', '2026-04'], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('audit of period 2026-04 invoices');
    expect(text.stdout).toMatch(/ {2}never pushed {12} {8}1 {2}/);
    expect(text.stdout).toContain(`      "${key('INV-B')}"`);
    expect(text.stdout).toContain('drift left: 4 invoices (exit 1)');

    const repaired = await cli(['audit', '--repair', '--json'], env);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect((JSON.parse(repaired.stdout) as AuditReport).repair).toEqual({
      fixed: { never_pushed: 1, pushed_not_recorded: 2, stale: 1 },
      dead_lettered: 0,
      stale_ignored: 0,
    });
    // Finance was called for B and D's newest version only, with the pusher's Idempotency-Key.
    const sha = (event: InvoiceLinesIngested) => normalizeInvoice(event).sha256;
    expect(
      finance
        .imports()
        .slice(importsBefore)
        .map((row) => [row.external_id, row.idempotency_key, row.body_sha256]),
    ).toEqual([
      ['INV-B', `${invoiceKey(b)}:${sha(b)}`, sha(b)], // in offset order
      ['INV-D', `${invoiceKey(d2)}:${sha(d2)}`, sha(d2)],
    ]);
    expect(finance.invoices().find((row) => row.external_id === 'INV-D')?.amount_gross_minor).toBe(3300);

    const again = await cli(['audit', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as AuditReport).counts).toEqual({
      never_pushed: 0,
      pushed_not_recorded: 0,
      stale: 0,
      recorded_without_event: 1,
      unpushable: 1,
      fine: 6,
    });
    expect(finance.imports().length - importsBefore).toBe(2);
  });

  it('--repair decides a push failure as the pusher does: a rejected invoice is dead-lettered and stays drift (exit 1), a transient one is retried', async () => {
    const pipe = await pipelineForTest({
      startService: false,
      financeFaults: {
        rejectInvoices: ['INV-REJECTED'],
        failNext: { count: 1, status: 503 },
      },
    });
    const { infra, finance } = pipe;
    const [ok, rejected] = [smallInvoice('INV-OK'), smallInvoice('INV-REJECTED')];
    await publishAt(infra, ok);
    await publishAt(infra, rejected);

    const report = await runAudit(infra, { selection: { kind: 'all' }, repair: true });
    expect(report.counts.never_pushed).toBe(2);
    expect(report.repair).toEqual({
      fixed: { never_pushed: 1, pushed_not_recorded: 0, stale: 0 },
      dead_lettered: 1,
      stale_ignored: 0,
    });
    expect(report.left).toEqual({ never_pushed: 1, pushed_not_recorded: 0, stale: 0 });
    expect(auditExitCode(report)).toBe(1);
    const [dead] = await (await pipe.pusherDeadLetters()).waitFor(1);
    expect(dead?.key).toBe(invoiceKey(rejected));
    expect(dead?.headers[DLQ_HEADER.errorCode]).toBe('FINANCE_REJECTED');
    expect(finance.invoices().map((row) => row.external_id)).toEqual(['INV-OK']);
    expect(finance.stats().byStatus).toMatchObject({ '503': 1, '201': 1, '422': 1 });
    expect(
      await infra.database.repository.recordedPayloadSha('platform-admin', 'digitalocean', 'INV-OK'),
    ).toBe(normalizeInvoice(ok).sha256);
  });

  it('selects by billed month or ingest time, and the service shows the last run on its console page and metric', async () => {
    const pipe = await pipelineForTest({
      roles: { pusher: false, recorder: true },
      env: { OPS_CONSOLE_TOKEN: TOKEN },
    });
    const { infra } = pipe;
    const april = smallInvoice('INV-APRIL');
    const may = { ...smallInvoice('INV-MAY'), invoice_period: Date.UTC(2026, 4, 1) / 86_400_000 };
    await publishAt(infra, april);
    await publishAt(infra, may);

    const byMonth = await runAudit(infra, {
      selection: { kind: 'period', period: '2026-05-01' },
      repair: false,
    });
    expect(byMonth.keys.never_pushed).toEqual([invoiceKey(may)]);
    const future = await runAudit(infra, {
      selection: { kind: 'since', since: new Date(Date.now() + 3_600_000) },
      repair: false,
    });
    expect(future.counts.never_pushed).toBe(0);
    const all = await runAudit(infra, { selection: { kind: 'all' }, repair: false });
    expect(all.keys.never_pushed).toEqual([invoiceKey(april), invoiceKey(may)]);

    const ops = pipe.service.ops?.url as string;
    const page = await fetch(`${ops}/audit`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = await page.text();
    expect(body).toContain(`Last run finished <time>${all.finished_at.slice(0, 10)}`);
    expect(body).toMatch(/<td>never pushed<\/td><td class="num">2<\/td>/);
    expect(body).toContain('Drift left: 2 invoices.');
    const anonymous = await fetch(`${ops}/audit`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303); // sign in first, then back here
    expect(anonymous.headers.get('location')).toBe('/login?back=%2Faudit');

    const metrics = await (await fetch(`${ops}/metrics`)).text();
    expect(metrics).toContain('invoice_sync_audit_drift{class="never_pushed"} 2');
    expect(metrics).toContain('invoice_sync_audit_drift{class="stale"} 0');
    expect(metrics).toContain(
      `invoice_sync_audit_last_run_timestamp_seconds ${Date.parse(all.finished_at) / 1000}`,
    );
  });
});
