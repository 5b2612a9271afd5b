import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { fuzzScale, recordBadInput } from '../helpers/bad-input.ts';
import { testEnv } from '../helpers/test-config.ts';
import { Fleet } from '../reliability/harness/fleet.ts';

const TOKEN = 'fuzz-test-console-token-0123456789';
const REQUESTS = 2_000 * fuzzScale().factor; // without credentials: parsing, routing, sign-in, refusals
const SIGNED_IN_REQUESTS = 150 * fuzzScale().factor; // with the token: pages that read topics and the database
const PARALLEL = 8;
const ANSWER_TIMEOUT_MS = 15_000;

// Paths known to have hurt HTTP servers, the console's own, and what a scanner tries.
const PATHS = [
  '/',
  '//',
  '/%',
  '/%00',
  '/%zz',
  '/%c0%af',
  '/..%2f..%2fetc/passwd',
  '/\\\\evil.example',
  '/healthz',
  '/readyz?x=%',
  '/metrics/',
  '/pushes?tenant=%ff&provider=%00',
  '/invoices?key=a:b:c',
  '/invoices?key=%',
  '/dead-letters?topic=recorder',
  '/dead-letters/0/0',
  '/dead-letters/99999999999999999999/1',
  '/dead-letters/-1/1',
  '/replay',
  '/replay/preview?partitions=abc&from=-1&to=99999999999999999999999',
  '/replay/preview?key=%0d%0a',
  '/audit',
  '/audit?x=%00',
  '/login?back=%0d%0aSet-Cookie:%20x=1',
  '/login?back=/%09/evil.example',
  '/login?back=//evil.example',
  '/login?back=https://evil.example',
  '/assets/console.css',
  `/${'a'.repeat(5_000)}`,
  `/dead-letters/${'9'.repeat(300)}/1`,
];
const METHODS = [
  'GET',
  'POST',
  'HEAD',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
  'TRACE',
  'CONNECT',
  'FOO',
  'G ET',
  '',
];
const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/json',
  'multipart/form-data; boundary=x',
  'text/plain',
  'application/x-www-form-urlencoded; charset=utf-7',
  '',
];
const ACTION_PATHS = ['/login', '/logout', '/dead-letters/redrive', '/replay/start', '/replay/stop'];

const headerValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('', ' ', '\t', '\r\n', '%0d%0a', 'a\u0000b', '\u202e', 'x'.repeat(10_000)),
);
const path = fc.oneof(
  fc.constantFrom(...PATHS),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => `/${s}`),
  fc.webPath(),
  fc.tuple(fc.constantFrom(...PATHS), fc.webQueryParameters()).map(([p, q]) => `${p}?${q}`),
);
const body = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('back=%0d%0a', 'name=a&token=b&back=//x', 'offset=1:1&offset=0:-1&topic=x', '{"a":', 'a=%'),
);

/** One request as bytes: possibly broken request line, odd headers, a body whose length may lie. */
const rawRequest = fc
  .record({
    method: fc.constantFrom(...METHODS),
    path,
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', ''),
    headers: fc.array(
      fc.tuple(
        fc.constantFrom(
          'cookie',
          'origin',
          'authorization',
          'x-forwarded-for',
          'x-ops-actor',
          'accept',
          'x-junk',
        ),
        headerValue,
      ),
      { maxLength: 4 },
    ),
    contentType: fc.constantFrom(...CONTENT_TYPES),
    body,
    lieAboutLength: fc.constantFrom(0, 0, 0, 5, -3),
  })
  .map((r) => {
    const payload = Buffer.from(r.body, 'latin1');
    const length = Math.max(0, payload.length + r.lieAboutLength);
    const headers = r.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
    const head = `${r.method} ${r.path} ${r.version}\r\nHost: fuzz\r\n${headers}content-type: ${r.contentType}\r\ncontent-length: ${length}\r\nconnection: close\r\n\r\n`;
    // A request whose body is shorter than it says can get no answer: the server waits for the rest.
    return { bytes: Buffer.concat([Buffer.from(head, 'latin1'), payload]), complete: r.lieAboutLength <= 0 };
  });

/**
 * Sends bytes on a fresh connection; resolves with the status of the answer, or undefined if none came.
 * A complete request keeps the connection open for its answer; an incomplete one (its body shorter
 * than it says) is followed by the end of the stream, which Node's server takes as the client gone.
 */
function send(
  port: number,
  { bytes, complete }: { bytes: Buffer; complete: boolean },
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1];
      resolve(status === undefined ? undefined : Number(status));
    };
    const timer = setTimeout(done, ANSWER_TIMEOUT_MS);
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    if (complete) socket.write(bytes);
    else socket.end(bytes);
  });
}

async function inBatches<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) await Promise.all(items.slice(i, i + PARALLEL).map(work));
}

describe('ops server under hostile requests', () => {
  it('answers every malformed or hostile request with at most a 4xx, and keeps serving', async () => {
    const fleet = new Fleet({
      env: { ...testEnv({ env: { OPS_CONSOLE_TOKEN: TOKEN, LOG_LEVEL: 'info' } }) },
      logDir: join(tmpdir(), 'ifs-ops-fuzz'),
    });
    const service = await fleet.start('a');
    const base = await service.started();
    const port = Number(new URL(base).port);
    const statuses = new Map<string, number>();
    const count = (status: number | undefined) => {
      const key = status === undefined ? 'no answer' : `${Math.floor(status / 100)}xx`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    };

    const anonymous = fc.sample(rawRequest, { numRuns: REQUESTS, seed: 18 });
    const failures: string[] = [];
    await inBatches(anonymous, async ({ bytes, complete }) => {
      const status = await send(port, { bytes, complete });
      count(status);
      const request = JSON.stringify(bytes.toString('latin1').slice(0, 200));
      if (status !== undefined && status >= 500) failures.push(`${status} for ${request}`);
      if (status === undefined && complete) failures.push(`no answer to ${request}`);
    });

    // Signed in, the pages that read topics and the database get odd queries and forms.
    const signedIn = fc.sample(
      fc.record({
        post: fc.boolean(),
        path: fc.oneof(fc.constantFrom(...PATHS), fc.constantFrom(...ACTION_PATHS)),
        query: fc.webQueryParameters(),
        form: fc.oneof(fc.webQueryParameters(), fc.string({ maxLength: 100 })),
      }),
      { numRuns: SIGNED_IN_REQUESTS, seed: 19 },
    );
    await inBatches(signedIn, async ({ post, path: target, query, form }) => {
      const url = `${base}${target}${target.includes('?') ? '&' : '?'}${query}`;
      let status: number;
      try {
        const response = await request(url, {
          method: post ? 'POST' : 'GET',
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: post ? form : undefined,
        });
        await response.body.dump();
        status = response.statusCode;
      } catch {
        return; // undici refused to send it (an invalid path): nothing reached the service
      }
      count(status);
      // A replay the fuzz started on the real topic is a 303, a read beyond the limit a 429: both fine.
      if (status >= 500)
        failures.push(`${status} for ${post ? 'POST' : 'GET'} ${url} ${JSON.stringify(form)}`);
    });

    expect(failures).toEqual([]);
    expect(service.running).toBe(true);
    expect(fleet.unexpectedExits()).toEqual([]);
    const health = await request(`${base}/healthz`);
    expect([health.statusCode, await health.body.json()]).toEqual([200, { status: 'ok' }]);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(REQUESTS); // every request was sent, and most were answered
    recordBadInput('http-fuzz', {
      surface: 'HTTP fuzz (ops port)',
      inputs: total,
      crashes: 0,
      stalls: 0,
      lost: 0,
      what: `raw requests: broken request lines, paths, headers, cookies, bodies, lying lengths; answers ${[...statuses].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    });
  });
});
