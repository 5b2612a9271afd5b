import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { financeForTest, testEnv } from '../helpers/service.ts';
import { ServiceProcess } from '../reliability/harness/service-process.ts';

describe('ops server while the consumers are still joining', () => {
  it('answers /healthz and says "not joined" on /readyz while a crashed member still holds the group', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url, env: { LOG_LEVEL: 'info' } });
    const logDir = join(tmpdir(), `ops-before-join-${env.PUSHER_GROUP_ID}`);
    const crashed = new ServiceProcess({ name: 'crashed', env, only: 'pusher', logDir });
    await crashed.started();
    await crashed.kill('SIGKILL');
    // Its session (10 s here) must expire before the group lets the next member in.
    const next = new ServiceProcess({ name: 'next', env, only: 'pusher', logDir });
    onTestFinished(async () => void (await next.kill('SIGKILL')));
    const opsUrl = await eventually(() => next.opsUrl, { what: 'the ops server of the next member' });

    const health = await fetch(`${opsUrl}/healthz`);
    const ready = await fetch(`${opsUrl}/readyz`);
    const body = (await ready.json()) as { ready: boolean; consumers: { name: string; joined: boolean }[] };
    expect(next.hasStarted).toBe(false);
    expect(health.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(body.consumers.map(({ name, joined }) => ({ name, joined }))).toEqual([
      { name: 'pusher', joined: false },
    ]);

    await next.started();
    await eventually(async () => ((await fetch(`${opsUrl}/readyz`)).status === 200 ? true : undefined), {
      what: 'ready once joined',
    });
  });
});
