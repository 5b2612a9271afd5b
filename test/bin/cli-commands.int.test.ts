import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type InvoiceLinesIngested, invoiceKey } from '../../src/invoice/invoice-events.ts';
import { publishAt } from '../helpers/command-test-kit.ts';
import { testKafka, topicReader } from '../helpers/kafka.ts';
import { financeForTest, infraForTest, smallInvoice, testEnv } from '../helpers/service.ts';

const CLI = fileURLToPath(new URL('../../bin/invoice-finance-sync.ts', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/digitalocean-2026-04.csv', import.meta.url));

function cli(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Without blocking this process, so the finance server the test runs here can answer the CLI. */
async function cliAsync(args: string[], env: Record<string, string>) {
  const run = promisify(execFile);
  const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { stdout, stderr };
}

describe('CLI commands against the real stack', () => {
  it('migrate applies the migrations once, then finds the database up to date', () => {
    const env = testEnv();
    const first = cli(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^applied: Migration\d{14}_create_cloud_invoices, Migration\d{14}_cloud_invoices_unique_per_tenant, Migration\d{14}_create_audit_runs, Migration\d{14}_create_tenant_pauses\n$/,
    );
    expect(cli(['migrate'], env).stdout).toBe('database is up to date\n');
  });

  it('schemas registers both subjects and prints their ids', () => {
    const result = cli(['schemas'], testEnv());
    expect(result.code, result.stderr).toBe(0);
    const ids = JSON.parse(result.stdout);
    expect(ids).toEqual({ linesIngested: expect.any(Number), pushedToFinance: expect.any(Number) });
  });

  it('ingest publishes a DigitalOcean CSV as InvoiceLinesIngested under the invoice key', async () => {
    const env = testEnv();
    const result = cli(
      [
        'ingest',
        '--csv',
        FIXTURE,
        '--invoice-id',
        'INV-CLI-1',
        '--period',
        '2026-04',
        '--issued-at',
        '2026-05-01T00:00:00Z',
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ lines: 33, total_minor: 8692 });
    const infra = await infraForTest(env);
    const reader = await topicReader(testKafka(), env.TOPIC_LINES_INGESTED as string);
    const [message] = await reader.waitFor(1);
    await reader.close();
    expect(message?.key).toBe('platform-admin:digitalocean:INV-CLI-1');
    const event = await infra.codec.decode<InvoiceLinesIngested>(
      message?.value ?? null,
      infra.contracts.linesIngested,
    );
    expect(event).toMatchObject({
      tenant_id: 'platform-admin',
      provider: 'digitalocean',
      provider_invoice_id: 'INV-CLI-1',
      invoice_period: 20_544, // 2026-04-01
      currency: 'USD',
      total_minor: 8692,
      issued_at: Date.parse('2026-05-01T00:00:00Z'),
    });
    expect(event.lines).toHaveLength(33);
  });

  it('replay refuses a --checkpoint path that is a symbolic link before it reads or pushes, exit 64', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ifs-cli-checkpoint-'));
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'keep me\n');
    const link = join(dir, 'replay.json');
    symlinkSync(target, link);
    const result = cli(['replay', '--dry-run', '--checkpoint', link], testEnv());
    expect(result.code).toBe(64);
    expect(result.stderr).toBe(
      `invoice-finance-sync: --checkpoint "${link}" is a symbolic link: checkpoints are never written through links; name a regular file or a new path\n`,
    );
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
  });

  it('replay --json prints each event of the run as one JSON object per line on stdout', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url });
    const infra = await infraForTest(env);
    const [v1, v2] = [smallInvoice('INV-CLI-JSON'), smallInvoice('INV-CLI-JSON', [2000, 200])];
    await publishAt(infra, v1, 0);
    await publishAt(infra, v2, 0);

    const result = await cliAsync(['replay', '--json', '--partition', '0'], env);

    expect(result.stderr).toBe('');
    const events = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const key = invoiceKey(v1);
    expect(events).toEqual([
      {
        type: 'range',
        topic: env.TOPIC_LINES_INGESTED,
        dry_run: false,
        partitions: [{ partition: 0, start: '0', end: '2' }],
      },
      { type: 'record', partition: 0, offset: '0', key, outcome: 'superseded', superseded_by: '1' },
      { type: 'record', partition: 0, offset: '1', key, outcome: 'created' },
      {
        type: 'finished',
        summary: {
          read: 2,
          selected: 2,
          pushed: 1,
          created: 1,
          updated: 0,
          dead_lettered: 0,
          superseded: 1,
          skipped: 0,
          dry_run: false,
          interrupted: false,
        },
        progress: { done: 2, total: 2, rate: expect.any(Number) },
      },
    ]);
    expect(finance.invoices().map((row) => row.amount_gross_minor)).toEqual([2200]);
  });
});
