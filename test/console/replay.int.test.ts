import { describe, expect, it } from 'vitest';
import { browserPage, screenshot, signIn } from '../helpers/browser.ts';
import { publishAt } from '../helpers/command-test-kit.ts';
import { eventually } from '../helpers/eventually.ts';
import { financeForTest, infraForTest, serviceForTest, smallInvoice, testEnv } from '../helpers/service.ts';

const TOKEN = 'replay-test-console-token';
const STOPPED_RANGE = 12; // records of the replay that is stopped early

describe('console in Chromium: replay', () => {
  it('previews a range as a dry run, then a replay started from the page runs to its end', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url, env: { OPS_CONSOLE_TOKEN: TOKEN } });
    const infra = await infraForTest(env);
    const service = await serviceForTest(env, { pusher: true, recorder: false });
    const base = service.ops?.url as string;
    for (const id of ['INV-R-1', 'INV-R-2', 'INV-R-3', 'INV-R-4'])
      await publishAt(infra, smallInvoice(id), 0);
    await eventually(() => (finance.invoices().length === 4 ? true : undefined), {
      what: '4 invoices in finance',
    });
    const before = finance.stats();

    const page = await browserPage();
    await signIn(page, base, 'Ann On-Call', TOKEN);
    await page.getByRole('link', { name: 'Replay' }).click();
    await page.getByLabel('Partitions').fill('0');
    await page.getByLabel('From offset').fill('1');
    await page.getByLabel('To offset').fill('3');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    expect(await page.locator('#preview h2').textContent()).toBe('Dry run: 3 selected');
    expect((await page.locator('#preview pre.rows').textContent())?.split('\n')).toEqual([
      expect.stringMatching(/^0:1 {2}platform-admin:digitalocean:INV-R-2 /),
      expect.stringMatching(/^0:2 {2}platform-admin:digitalocean:INV-R-3 /),
      expect.stringMatching(/^0:3 {2}platform-admin:digitalocean:INV-R-4 /),
    ]);
    expect(finance.stats().requests).toBe(before.requests);
    await screenshot(page, 'replay-preview');

    await page.getByRole('button', { name: 'Start replay' }).click();
    await page.waitForURL(`${base}/replay`);
    // The page reloads itself every 2 s while the replay runs.
    await eventually(
      async () =>
        (await page.locator('#job-state').textContent({ timeout: 1_000 })) === 'finished' ? true : undefined,
      { what: 'the replay to finish on the page' },
    );
    expect(await page.locator('#job p').first().textContent()).toMatch(
      /^Started by Ann On-Call at .*: partitions 0, from offset 1, to offset 3$/,
    );
    expect(await page.locator('[data-total="selected"]').textContent()).toBe('3');
    expect(await page.locator('[data-total="pushed"]').textContent()).toBe('3');
    // Unchanged content: finance answers the repeated Idempotency-Key with its stored answer.
    expect(finance.stats().requests - before.requests).toBe(3);
    expect(finance.stats().idempotentReplays - before.idempotentReplays).toBe(3);
    await screenshot(page, 'replay');
  });

  it('stops a running replay from the page: the push in flight finishes, nothing more starts', async () => {
    const finance = await financeForTest();
    // One push at a time, each slow: the replay is still running when Stop is clicked.
    const env = testEnv({
      financeUrl: finance.url,
      env: { OPS_CONSOLE_TOKEN: TOKEN, PUSHER_MAX_IN_FLIGHT: '1' },
    });
    const infra = await infraForTest(env);
    const service = await serviceForTest(env, { pusher: false, recorder: false });
    const base = service.ops?.url as string;
    for (let i = 1; i <= STOPPED_RANGE; i++) await publishAt(infra, smallInvoice(`INV-S-${i}`), 0);
    finance.setFaults({ latencyMs: 700 });

    const page = await browserPage();
    await signIn(page, base, 'Ann On-Call', TOKEN);
    await page.goto(`${base}/replay`);
    await page.getByRole('button', { name: 'Start replay' }).click();
    await eventually(() => (finance.stats().requests >= 1 ? true : undefined), {
      what: 'the first push to arrive',
    });
    await page.getByRole('button', { name: 'Stop replay' }).click();
    await eventually(
      async () =>
        (await page.locator('#job-state').textContent({ timeout: 1_000 })) === 'stopped' ? true : undefined,
      { what: 'the replay to stop on the page' },
    );
    expect(await page.locator('#job .notice').textContent()).toBe(
      'Stopped by Ann On-Call: pushes in flight finished, nothing more was started.',
    );
    const pushed = Number(await page.locator('[data-total="pushed"]').textContent());
    expect(pushed).toBeGreaterThanOrEqual(1);
    // The engine admits a few records ahead of the one in flight (4 × max in flight); those finish too.
    expect(pushed).toBeLessThan(STOPPED_RANGE);
    expect(finance.invoices()).toHaveLength(pushed);
  });
});
