import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { browserPage, screenshot, signIn } from '../helpers/browser.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  APRIL_2026,
  april2026Event,
  financeForTest,
  infraForTest,
  publishLinesIngested,
  serviceForTest,
  smallInvoice,
  testEnv,
} from '../helpers/service.ts';

const TOKEN = 'overview-test-console-token';
const BURST = 40; // invoices published at once, to see lag build and drain

/** The count of one outcome in a consumer's card (throws while the page reloads: `eventually` retries). */
async function count(card: Locator, outcome: string): Promise<number> {
  return Number(await card.locator(`[data-outcome="${outcome}"] b`).textContent({ timeout: 1_000 }));
}

describe('console in Chromium: live state, recent pushes, an invoice’s history', () => {
  it('shows the real stack’s figures, refreshing by itself, then the pushes and one invoice’s history', async () => {
    const finance = await financeForTest();
    const env = testEnv({
      financeUrl: finance.url,
      env: { OPS_CONSOLE_TOKEN: TOKEN, OPS_CONSOLE_LAG_SAMPLE_MS: '500', PUSHER_MAX_IN_FLIGHT: '2' },
    });
    const infra = await infraForTest(env);
    const service = await serviceForTest(env);
    const base = service.ops?.url as string;
    const page = await browserPage();

    await signIn(page, base, 'Ann On-Call', TOKEN);
    await page.goto(base);
    await eventually(
      async () => ((await page.locator('.status-line .pill').textContent()) === 'READY' ? true : undefined),
      {
        what: 'the overview to say READY',
      },
    );
    const pusher = page.locator('#consumer-pusher');
    expect(await pusher.locator('h2 .pill').textContent()).toBe('joined');
    expect(await pusher.locator('dd.assigned').textContent()).toBe('0, 1, 2, 3, 4, 5');
    expect(await pusher.locator('dd.paused').textContent()).toBe('none');
    expect(await page.locator('#finance .pill').textContent()).toBe('pushing');
    expect(await page.locator('.probe .pill').allTextContents()).toEqual([
      'answering',
      'answering',
      'answering',
    ]);

    // Published after the page loaded: the figures arrive by the page's own refresh. A slow finance
    // and two pushes in flight make a backlog the lag sparklines show building and draining.
    finance.setFaults({ latencyMs: 150 });
    const aws = { ...smallInvoice('INV-AWS-0001', [2500, 250]), provider: 'aws' };
    const burst = Array.from({ length: BURST }, (_, i) => smallInvoice(`INV-BURST-${i}`));
    for (const event of [april2026Event(), smallInvoice('INV-DO-0002'), aws, ...burst]) {
      await publishLinesIngested(infra, event);
    }
    // Finance's books are the exact truth; the page's counts may run higher when a rebalance made
    // a push repeat (at-least-once), never lower.
    const published = BURST + 3;
    await eventually(() => (finance.invoices().length === published ? true : undefined), {
      what: `finance to hold ${published} invoices`,
      timeoutMs: 45_000,
    });
    await eventually(async () => ((await count(pusher, 'created')) >= published ? true : undefined), {
      what: `the overview to count ${published} created pushes by itself`,
    });
    await eventually(
      async () =>
        (await count(page.locator('#consumer-recorder'), 'recorded')) >= published ? true : undefined,
      { what: `the recorder to count ${published} recorded` },
    );
    await eventually(
      async () => ((await pusher.locator('dd.total-lag').textContent()) === '0' ? true : undefined),
      {
        what: 'the pusher lag to drain',
      },
    );
    const ends = await pusher.locator('table.lag tbody tr td:nth-child(5)').allTextContents();
    expect(ends.map(Number).reduce((a, b) => a + b, 0)).toBe(published);
    expect(await pusher.locator('table.lag svg.spark').count()).toBe(6);
    const peaks = await pusher.locator('table.lag .peak').allTextContents();
    expect(peaks.length, 'some partition was seen behind').toBeGreaterThan(0);
    await screenshot(page, 'overview');

    await page.getByRole('link', { name: 'Recent pushes' }).click();
    const april = finance.invoices().find((row) => row.external_id === APRIL_2026.provider_invoice_id);
    const row = page.locator('tr.pushed', { hasText: APRIL_2026.provider_invoice_id });
    expect(await row.locator('td.finance-id').textContent()).toBe(april?.id);
    expect(await row.locator('td.num').allTextContents()).toEqual([
      '86.92 USD',
      '7.90',
      '79.02',
      expect.stringMatching(/^\d+ ms$/),
    ]);
    expect(await page.locator('tr.pushed').count()).toBeGreaterThanOrEqual(published);
    await screenshot(page, 'pushes', { fullPage: false });
    await page.getByLabel('Provider').selectOption('aws');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.locator('tr.pushed td.key').allTextContents()).toEqual([invoiceKey(aws)]);

    await page.getByRole('link', { name: invoiceKey(aws) }).click();
    // The search shows what the recorder wrote: wait until it has (it may lag on a busy machine).
    const april2026 = april2026Event();
    await eventually(
      async () =>
        (
          await service.infra.database.repository.find(
            april2026.tenant_id,
            april2026.provider,
            april2026.provider_invoice_id,
          )
        )?.finance_invoice_id
          ? true
          : undefined,
      { what: 'the April invoice recorded' },
    );
    await page.getByRole('link', { name: 'Invoice search' }).click();
    await page.getByLabel('Invoice key').fill(invoiceKey(april2026Event()));
    await page.getByRole('button', { name: 'Search' }).click();
    expect(await page.locator('#recorded [data-field="finance_invoice_id"]').textContent()).toBe(april?.id);
    expect(await page.locator('#announced tbody tr').count()).toBe(1);
    expect(await page.locator('#announced tbody tr .pill').textContent()).toBe('created');
    expect(await page.locator('#seen tr.pushed').count()).toBe(1);
    expect(await page.locator('#dead-letters .empty').textContent()).toBe('None.');
  });
});
