import { describe, expect, it } from 'vitest';
import type { InvoiceLinesIngested } from '../../src/invoice/invoice-events.ts';
import { browserPage, signIn } from '../helpers/browser.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  financeForTest,
  infraForTest,
  publishLinesIngested,
  serviceForTest,
  smallInvoice,
  testEnv,
} from '../helpers/service.ts';

const TOKEN = 'tenants-test-console-token';

function invoiceOf(tenantId: string, providerInvoiceId: string): InvoiceLinesIngested {
  return { ...smallInvoice(providerInvoiceId), tenant_id: tenantId };
}

describe('console in Chromium: the Tenants page', () => {
  it('pauses one tenant, shows its events waiting and why while another flows, and resumes it', async () => {
    const finance = await financeForTest();
    const env = testEnv({
      financeUrl: finance.url,
      env: { OPS_CONSOLE_TOKEN: TOKEN, FINANCE_IDENTITY: 'event-tenant' },
    });
    const infra = await infraForTest(env);
    const service = await serviceForTest(env, { pusher: true, recorder: false });
    const base = service.ops?.url as string;
    const page = await browserPage();
    await signIn(page, base, 'Ann On-Call', TOKEN);

    await page.goto(`${base}/tenants`);
    expect(await page.locator('p.empty').textContent()).toBe('No tenant paused, in progress or waiting.');
    await page.getByLabel('Tenant').fill('acme');
    await page.getByLabel('Reason').fill('month-end close');
    await page.getByRole('button', { name: 'Pause tenant' }).click();
    await page.waitForURL(`${base}/tenants`);
    const acme = page.locator('table.tenants tr', { hasText: 'acme' });
    expect(await acme.locator('td').nth(1).textContent()).toMatch(
      /^paused since .+ by console:Ann On-Call: month-end close$/,
    );

    for (let i = 0; i < 3; i++) await publishLinesIngested(infra, invoiceOf('acme', `INV-A-${i}`));
    await publishLinesIngested(infra, invoiceOf('globex', 'INV-G-0'));
    await eventually(
      () => (finance.imports().some((accepted) => accepted.tenant_id === 'globex') ? true : undefined),
      {
        what: "globex's invoice pushed",
        timeoutMs: 60_000,
      },
    );
    await eventually(
      async () => {
        await page.goto(`${base}/tenants`);
        const cells = await acme.locator('td').allTextContents();
        // A paused tenant's events are parked in Kafka as they come.
        return cells[3] === '3 (3 in Kafka)' ? cells : undefined;
      },
      { what: 'acme shown with 3 events waiting, parked in Kafka' },
    );
    expect(await acme.locator('td').nth(5).textContent()).toBe(
      'paused: its events wait, in order, until it is resumed',
    );
    expect(finance.imports().filter((accepted) => accepted.tenant_id === 'acme')).toEqual([]);

    await acme.getByRole('button', { name: 'Resume' }).click();
    await page.waitForURL(`${base}/tenants`);
    await eventually(
      () =>
        finance.imports().filter((accepted) => accepted.tenant_id === 'acme').length === 3 ? true : undefined,
      {
        what: "acme's 3 invoices pushed after the resume",
        timeoutMs: 60_000,
      },
    );
  });

  it('refuses a tenant id that is not one with a 400 page, pausing nothing', async () => {
    const env = testEnv({ env: { OPS_CONSOLE_TOKEN: TOKEN } });
    const service = await serviceForTest(env, { pusher: false, recorder: true });
    const response = await fetch(`${service.ops?.url}/tenants/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'tenant=acme%3Aaws%0A',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('A tenant is 1-64 characters of A-Z a-z 0-9 . _ -');
    const list = await fetch(`${service.ops?.url}/tenants`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await list.text()).toContain('No tenant paused, in progress or waiting.');
  });
});
