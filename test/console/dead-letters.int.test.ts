import { describe, expect, it, onTestFinished } from 'vitest';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { browserPage, screenshot, signIn } from '../helpers/browser.ts';
import { eventually } from '../helpers/eventually.ts';
import { testKafka, topicReader } from '../helpers/kafka.ts';
import {
  APRIL_2026,
  april2026Event,
  financeForTest,
  infraForTest,
  logCapture,
  publishLinesIngested,
  serviceForTest,
  testEnv,
} from '../helpers/service.ts';

const TOKEN = 'dead-letter-test-console-token';

describe('console in Chromium: dead letters', () => {
  it('shows a dead letter finance refused, and a click redrives it into finance, logged with who did it', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url, env: { OPS_CONSOLE_TOKEN: TOKEN } });
    const infra = await infraForTest(env);
    const logs = logCapture();
    const service = await serviceForTest(env, { pusher: true, recorder: true }, logs.logger);
    const base = service.ops?.url as string;
    const dlq = await topicReader(testKafka(), env.TOPIC_LINES_INGESTED_DLQ as string);
    onTestFinished(() => dlq.close());

    finance.setFaults({ failNext: { count: 1, status: 422 } });
    const event = april2026Event();
    await publishLinesIngested(infra, event);
    const [dead] = await dlq.waitFor(1);
    const id = `${dead?.partition}:${dead?.offset}`;
    expect(finance.invoices()).toEqual([]);

    const page = await browserPage();
    await signIn(page, base, 'Ann On-Call', TOKEN);
    await page.goto(`${base}/dead-letters`);
    const row = page.locator(`tr[data-id="${id}"]`);
    expect(await row.locator('code').textContent()).toBe('FINANCE_REJECTED');
    expect(await row.locator('td.key').textContent()).toBe(invoiceKey(event));
    expect(await row.locator('td.reason').textContent()).toMatch(
      /^finance rejected the invoice \(HTTP 422\)/,
    );
    await screenshot(page, 'dead-letters');

    await row.getByRole('link', { name: id }).click();
    expect(await page.locator('h1').textContent()).toBe(`Dead letter ${id}`);
    expect(await page.locator('table.headers th').allTextContents()).toContain(
      '__connect.errors.exception.message',
    );
    expect(await page.locator('p.gist').textContent()).toBe(
      `${APRIL_2026.provider_invoice_id} of platform-admin (digitalocean), period 2026-04-01, total_minor 8692 USD, 33 lines summing to 8692`,
    );
    expect(JSON.parse((await page.locator('pre.decoded').textContent()) ?? '')).toMatchObject({
      event_id: event.event_id,
      total_minor: 8692,
    });
    await screenshot(page, 'dead-letter');

    await page.goto(`${base}/dead-letters`);
    await page.getByLabel(`select ${id}`).check();
    await page.getByRole('button', { name: 'Redrive selected' }).click();
    expect(await page.locator('p.result').textContent()).toBe('1 redriven, 0 skipped.');
    await screenshot(page, 'redrive');

    const pushed = await eventually(
      () => finance.invoices().find((row) => row.external_id === event.provider_invoice_id),
      {
        what: 'the redriven invoice in finance',
      },
    );
    expect(pushed).toMatchObject({ amount_gross_minor: 8692, amount_tax_minor: 790, amount_net_minor: 7902 });

    // The same invoice again, unchanged, once recorded: the pusher skips it. Its history has it all.
    await eventually(
      () => infra.database.repository.find('platform-admin', 'digitalocean', event.provider_invoice_id),
      {
        what: 'the push recorded in cloud_invoices',
      },
    );
    await publishLinesIngested(infra, april2026Event());
    await page.getByRole('link', { name: 'Invoice search' }).click();
    await page.getByLabel('Invoice key').fill(invoiceKey(event));
    await eventually(
      async () => {
        await page.getByRole('button', { name: 'Search' }).click();
        return (await page.locator('#seen .pill').allTextContents()).includes('skipped') ? true : undefined;
      },
      { what: 'the skip in the invoice history' },
    );
    expect(await page.locator('#seen .pill').allTextContents()).toEqual([
      'skipped',
      'created',
      'dead lettered',
    ]);
    expect(await page.locator('#dead-letters tbody tr code').allTextContents()).toEqual(['FINANCE_REJECTED']);
    expect(await page.locator('#announced tbody tr .pill').allTextContents()).toEqual(['created']);
    expect(await page.locator('#recorded [data-field="finance_invoice_id"]').textContent()).toBe(pushed.id);
    await screenshot(page, 'invoice');

    const audit = logs.lines
      .map((line) => JSON.parse(line))
      .filter((line) => line.component === 'ops-console');
    expect(audit.map((line) => [line.msg, line.actor?.name, line.action])).toEqual([
      ['console sign-in', 'Ann On-Call', 'sign-in'],
      ['console action: redrive', 'Ann On-Call', 'redrive'],
      ['console action done: redrive', 'Ann On-Call', 'redrive'],
    ]);
    expect(audit[1]).toMatchObject({ topic: env.TOPIC_LINES_INGESTED_DLQ, offsets: [id], force: false });
    expect(logs.lines.join('\n')).not.toContain(TOKEN);
  });
});
