import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { READ_ONLY_MESSAGE, SIGN_IN_MESSAGE } from '../../../src/ops/console/console-auth.ts';
import { escapeHtml } from '../../../src/ops/console/html.ts';
import { browserPage } from '../../helpers/browser.ts';
import { eventually } from '../../helpers/eventually.ts';
import { produce, testKafka } from '../../helpers/kafka.ts';
import { financeForTest, logCapture, serviceForTest, testEnv } from '../../helpers/service.ts';
import { TEST_SECRET } from '../../helpers/test-config.ts';

const TOKEN = 'safety-test-console-token';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await request(url, { method: 'POST', body, headers: { ...FORM, ...headers } });
  return { status: response.statusCode, text: await response.body.text() };
}

async function get(url: string) {
  const response = await request(url);
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

/** A service whose pusher dead-lettered one record (not Avro); `id` is where it sits in the dead-letter topic. */
async function serviceWithDeadLetter(env: Record<string, string>) {
  const logs = logCapture();
  const service = await serviceForTest(env, { pusher: true, recorder: true }, logs.logger);
  await produce(testKafka(), env.TOPIC_LINES_INGESTED as string, [
    { key: 'k:bad', value: Buffer.from('nope') },
  ]);
  const base = service.ops?.url as string;
  const id = await eventually(
    async () => /data-id="(\d+:\d+)"/.exec((await get(`${base}/dead-letters`)).text)?.[1],
    {
      what: 'the dead letter listed',
    },
  );
  return { base, logs, id };
}

const audit = (lines: string[]) =>
  lines.map((line) => JSON.parse(line)).filter((line) => line.component === 'ops-console');

describe('console safety: read-only without the token, actions only with it, no secret shown', () => {
  it('without OPS_CONSOLE_TOKEN shows everything, offers no action and refuses every one, saying why', async () => {
    const finance = await financeForTest();
    const { base, logs, id } = await serviceWithDeadLetter(testEnv({ financeUrl: finance.url }));

    const page = await browserPage();
    await page.goto(`${base}/dead-letters`);
    expect(await page.locator('.who').textContent()).toBe('read-only');
    expect(await page.locator('p.notice').textContent()).toBe(
      'Read-only: OPS_CONSOLE_TOKEN is not set on the service, so actions are off.',
    );
    expect(await page.getByRole('button', { name: 'Redrive selected' }).count()).toBe(0);

    const refused = await post(`${base}/dead-letters/redrive`, `topic=pusher&offset=${id}`, {
      authorization: 'Bearer anything-at-all',
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain(`<p class="error" id="problem">${escapeHtml(READ_ONLY_MESSAGE)}</p>`);
    expect((await post(`${base}/replay/start`, 'partitions=0')).status).toBe(403);
    expect((await post(`${base}/login`, `name=x&token=${TOKEN}`)).status).toBe(403);
    expect(audit(logs.lines).map((line) => [line.level, line.msg, line.action, line.status])).toEqual([
      ['warn', 'console action refused', 'redrive', 403],
      ['warn', 'console action refused', 'replay', 403],
      ['warn', 'console sign-in refused', 'sign-in', 403],
    ]);
  });

  it('with OPS_CONSOLE_TOKEN refuses an action without it or with a wrong one, and logs who acted', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url, env: { OPS_CONSOLE_TOKEN: TOKEN } });
    const { base, logs, id } = await serviceWithDeadLetter(env);

    const anonymous = await post(`${base}/dead-letters/redrive`, `topic=pusher&offset=${id}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).toContain(escapeHtml(SIGN_IN_MESSAGE));
    const wrong = await post(`${base}/dead-letters/redrive`, `topic=pusher&offset=${id}`, {
      authorization: 'Bearer guess',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('The bearer token is wrong.');

    const page = await browserPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('Your name').fill('Mallory');
    await page.getByLabel('Console token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('#problem').textContent()).toBe('Sign-in refused: the token is wrong.');
    await page.goto(`${base}/dead-letters`);
    await page.getByLabel(`select ${id}`).check();
    await page.getByRole('button', { name: 'Redrive selected' }).click();
    expect(await page.locator('h1').textContent()).toBe('Redrive refused');
    expect(await page.locator('#problem').textContent()).toBe(SIGN_IN_MESSAGE);

    const allowed = await post(`${base}/dead-letters/redrive`, `topic=pusher&offset=${id}`, {
      authorization: `Bearer ${TOKEN}`,
      'x-ops-actor': 'release-bot',
    });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('<p class="result"><b>1</b> redriven, <b>0</b> skipped.</p>');
    expect(
      audit(logs.lines).map((line) => [line.msg, line.actor?.name ?? null, line.status ?? null]),
    ).toEqual([
      ['console action refused', null, 401],
      ['console action refused', null, 401],
      ['console sign-in refused', null, 401],
      ['console action refused', null, 401],
      ['console action: redrive', 'release-bot', null],
      ['console action done: redrive', 'release-bot', null],
    ]);
    expect(logs.lines.join('\n')).not.toContain(TOKEN);
  });

  it('never renders the finance secret or the console token, even when a page is asked to echo one', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url, env: { OPS_CONSOLE_TOKEN: TOKEN } });
    const service = await serviceForTest(env);
    const base = service.ops?.url as string;
    const echo = encodeURIComponent(`a:b:${TOKEN}`);
    const pages = [
      '/',
      '/pushes',
      '/invoices',
      `/invoices?key=${echo}`,
      '/dead-letters',
      '/replay',
      `/replay/preview?key=${echo}`,
      `/login?back=${echo}`,
    ];
    for (const path of pages) {
      const { status, headers, text } = await get(`${base}${path}`);
      expect([path, status]).toEqual([path, 200]);
      expect(headers['content-security-policy']).toContain("default-src 'none'");
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(TEST_SECRET);
      expect(text).not.toContain('<script');
    }
    expect((await get(`${base}/invoices?key=${echo}`)).text).toContain('value="a:b:(hidden)"');
  });

  it('OPS_CONSOLE=false leaves only /healthz, /readyz and /metrics', async () => {
    const service = await serviceForTest(testEnv({ secret: null, env: { OPS_CONSOLE: 'false' } }), {
      pusher: false,
      recorder: true,
    });
    const base = service.ops?.url as string;
    expect(await get(`${base}/`)).toMatchObject({
      status: 404,
      text: JSON.stringify({ error: 'not found', endpoints: ['/healthz', '/readyz', '/metrics'] }),
    });
    expect((await get(`${base}/dead-letters`)).status).toBe(404);
    expect((await get(`${base}/healthz`)).status).toBe(200);
  });
});
