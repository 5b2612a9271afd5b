import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { OTHER_SITE_MESSAGE, SIGN_IN_MESSAGE } from '../../src/console/console-auth.ts';
import { escapeHtml } from '../../src/console/html.ts';
import { browserPage } from '../helpers/browser.ts';
import { eventually } from '../helpers/eventually.ts';
import { produce, testKafka } from '../helpers/kafka.ts';
import { financeForTest, logCapture, serviceForTest, testEnv } from '../helpers/service.ts';
import { TEST_SECRET } from '../helpers/test-config.ts';

const TOKEN = 'safety-test-console-token';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const BEARER = { authorization: `Bearer ${TOKEN}` };

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await request(url, { method: 'POST', body, headers: { ...FORM, ...headers } });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { headers });
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
    async () => /data-id="(\d+:\d+)"/.exec((await get(`${base}/dead-letters`, BEARER)).text)?.[1],
    { what: 'the dead letter listed' },
  );
  return { base, logs, id };
}

const audit = (lines: string[]) =>
  lines.map((line) => JSON.parse(line)).filter((line) => line.component === 'ops-console');

const PAGES = [
  '/',
  '/pushes',
  '/invoices?key=a:b:c',
  '/dead-letters',
  '/dead-letters/0/0',
  '/replay',
  '/replay/preview',
  '/audit',
];

describe('console safety: off without a token, every page behind sign-in, no secret shown', () => {
  it('without OPS_CONSOLE_TOKEN the console is off, the start says how to turn it on, and the probes stay open', async () => {
    const logs = logCapture();
    const service = await serviceForTest(
      testEnv({ secret: null }),
      { pusher: false, recorder: true },
      logs.logger,
    );
    const base = service.ops?.url as string;
    for (const path of [...PAGES, '/login']) {
      expect([path, (await get(`${base}${path}`)).status]).toEqual([path, 404]);
    }
    expect((await post(`${base}/login`, `name=x&token=${TOKEN}`)).status).toBe(404);
    expect((await get(`${base}/healthz`)).status).toBe(200);
    expect((await get(`${base}/metrics`)).status).toBe(200);
    expect(logs.lines.map((line) => JSON.parse(line).msg)).toContain(
      'ops console off: set OPS_CONSOLE_TOKEN (16+ characters) or OPS_CONSOLE_TOKEN_FILE to turn it on',
    );
  });

  it('shows nothing to an anonymous visitor: pages lead to sign-in and come back, actions are refused', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url, env: { OPS_CONSOLE_TOKEN: TOKEN } });
    const { base, logs, id } = await serviceWithDeadLetter(env);

    for (const path of PAGES) {
      const { status, headers, text } = await get(`${base}${path}`);
      expect([path, status, headers.location]).toEqual([
        path,
        303,
        `/login?back=${encodeURIComponent(path)}`,
      ]);
      expect(text).not.toContain(id);
    }
    const anonymous = await post(`${base}/dead-letters/redrive`, `topic=pusher&offset=${id}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).toContain(escapeHtml(SIGN_IN_MESSAGE));
    const wrong = await post(`${base}/dead-letters/redrive`, `topic=pusher&offset=${id}`, {
      authorization: 'Bearer guess',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('The bearer token is wrong.');
    expect((await get(`${base}/dead-letters`, { authorization: 'Bearer guess' })).status).toBe(401);

    const page = await browserPage();
    await page.goto(`${base}/dead-letters?topic=pusher`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Your name').fill('Mallory');
    await page.getByLabel('Console token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('#problem').textContent()).toBe('Sign-in refused: the token is wrong.');
    await page.getByLabel('Your name').fill('Ann');
    await page.getByLabel('Console token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/dead-letters?topic=pusher`);
    expect(await page.locator('.who span').first().textContent()).toBe('Ann');
    expect(await page.locator(`tr[data-id="${id}"]`).count()).toBe(1);

    const allowed = await post(`${base}/dead-letters/redrive`, `topic=pusher&offset=${id}`, {
      ...BEARER,
      'x-ops-actor': 'release-bot',
    });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('<p class="result"><b>1</b> redriven, <b>0</b> skipped.</p>');
    expect(
      audit(logs.lines).map((line) => [line.msg, line.actor?.name ?? null, line.status ?? null]),
    ).toEqual([
      ['console action refused', null, 401],
      ['console action refused', null, 401],
      ['console read refused', null, 401],
      ['console sign-in refused', null, 401],
      ['console sign-in', 'Ann', null],
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
      '/audit',
    ];
    for (const path of [...pages, `/login?back=${echo}`]) {
      const { status, headers, text } = await get(`${base}${path}`, BEARER);
      expect([path, status]).toEqual([path, 200]);
      expect(headers['content-security-policy']).toContain("default-src 'none'");
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(TEST_SECRET);
      expect(text).not.toContain('<script');
    }
    expect((await get(`${base}/invoices?key=${echo}`, BEARER)).text).toContain('value="a:b:(hidden)"');
  });

  it('after sign-in goes back only to a page of the console, and never writes a request into a header', async () => {
    const env = testEnv({ env: { OPS_CONSOLE_TOKEN: TOKEN } });
    const service = await serviceForTest(env, { pusher: false, recorder: true });
    const base = service.ops?.url as string;
    const signIn = (back: string) =>
      post(`${base}/login`, `name=ann&token=${TOKEN}&back=${encodeURIComponent(back)}`);
    const hostile = [
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      'https://evil.example',
      '/x\r\nSet-Cookie: a=1',
      '/é',
      '/metrics',
      '/dead-letters/redrive',
    ];
    for (const back of hostile) {
      const answer = await signIn(back);
      expect([back, answer.status, answer.headers.location]).toEqual([back, 303, '/']);
    }
    expect((await signIn('/dead-letters?topic=recorder')).headers.location).toBe(
      '/dead-letters?topic=recorder',
    );
    expect((await signIn('/dead-letters/3/42')).headers.location).toBe('/dead-letters/3/42');
    // The same rule on the form: a crafted link cannot plant another site in the hidden field.
    expect((await get(`${base}/login?back=${encodeURIComponent('/%09/evil.example')}`)).text).toContain(
      '<input type="hidden" name="back" value="/">',
    );
    // The requests that used to end the process.
    const raw = await request(`${base}//`);
    expect(raw.statusCode).toBe(404);
    await raw.body.dump();
    expect((await get(`${base}/healthz`)).status).toBe(200);
  });

  it('throttles sign-in per client address, and behind a trusted proxy uses its X-Forwarded-For and public origin', async () => {
    const logs = logCapture();
    const env = testEnv({
      env: {
        OPS_CONSOLE_TOKEN: TOKEN,
        OPS_SIGN_IN_PER_MINUTE: '3',
        OPS_TRUSTED_PROXIES: '127.0.0.1',
        OPS_PUBLIC_ORIGIN: 'https://ops.example.com',
      },
    });
    const service = await serviceForTest(env, { pusher: false, recorder: true }, logs.logger);
    const base = service.ops?.url as string;
    const from = (address: string) => ({ 'x-forwarded-for': address });
    for (let i = 0; i < 3; i++) {
      expect((await post(`${base}/login`, 'name=m&token=guess', from('203.0.113.7'))).status).toBe(401);
    }
    const throttled = await post(`${base}/login`, `name=m&token=${TOKEN}`, from('203.0.113.7'));
    expect(throttled.status).toBe(429);
    expect(throttled.text).toContain('Too many sign-in attempts from your address');
    const other = await post(`${base}/login`, `name=ann&token=${TOKEN}`, from('198.51.100.2'));
    expect(other.status).toBe(303);
    const cookie = String(other.headers['set-cookie']);
    expect(cookie).toMatch(
      /^ops_console_session=[\w-]{43}; Max-Age=28800; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    const session = cookie.split(';')[0] as string;
    const stop = (origin: string) => post(`${base}/replay/stop`, '', { cookie: session, origin });
    expect((await stop(base)).status).toBe(403);
    expect((await stop(base)).text).toContain(escapeHtml(OTHER_SITE_MESSAGE));
    expect((await stop('https://ops.example.com')).status).toBe(303);
    const remotes = audit(logs.lines).map((line) => [line.msg, line.remote]);
    expect(remotes).toContainEqual(['console sign-in refused', '203.0.113.7']);
    expect(remotes).toContainEqual(['console sign-in throttled', '203.0.113.7']);
    expect(remotes).toContainEqual(['console sign-in', '198.51.100.2']);
  });

  it('runs at most OPS_READ_CONCURRENCY topic reads at once and answers the rest 429, then serves again', async () => {
    const env = testEnv({ env: { OPS_CONSOLE_TOKEN: TOKEN, OPS_READ_CONCURRENCY: '1' } });
    const service = await serviceForTest(env, { pusher: false, recorder: true });
    const base = service.ops?.url as string;
    // Each read joins the broker to read a topic: six at once cannot all be served by one slot.
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(`${base}/dead-letters`, BEARER)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses[0]).toBe(200);
    expect(statuses.at(-1)).toBe(429);
    const busy = answers.find((answer) => answer.status === 429);
    expect(busy?.headers['retry-after']).toBe('5');
    expect(busy?.text).toContain('Too many topic reads are running at once');
    // The pages that read no topic are not limited, and the slot is free again afterwards.
    expect((await get(`${base}/pushes`, BEARER)).status).toBe(200);
    expect((await get(`${base}/dead-letters`, BEARER)).status).toBe(200);
  });

  it('OPS_CONSOLE=false leaves only /healthz, /readyz and /metrics, even with a token', async () => {
    const env = testEnv({ secret: null, env: { OPS_CONSOLE: 'false', OPS_CONSOLE_TOKEN: TOKEN } });
    const service = await serviceForTest(env, { pusher: false, recorder: true });
    const base = service.ops?.url as string;
    expect(await get(`${base}/`, BEARER)).toMatchObject({
      status: 404,
      text: JSON.stringify({ error: 'not found', endpoints: ['/healthz', '/readyz', '/metrics'] }),
    });
    expect((await get(`${base}/dead-letters`, BEARER)).status).toBe(404);
    expect((await get(`${base}/healthz`)).status).toBe(200);
  });
});
