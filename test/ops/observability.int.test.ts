import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { eventually } from '../helpers/eventually.ts';
import { produce, testKafka } from '../helpers/kafka.ts';
import {
  april2026Event,
  financeForTest,
  infraForTest,
  logCapture,
  publishLinesIngested,
  serviceForTest,
  testEnv,
} from '../helpers/service.ts';
import { TEST_SECRET } from '../helpers/test-config.ts';

async function get(url: string) {
  const response = await request(url);
  return { status: response.statusCode, text: await response.body.text() };
}

function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('operability: health, readiness, metrics and logs', () => {
  it('serves /healthz, /readyz with its reasons, and Prometheus /metrics with event outcomes and lag', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url });
    const infra = await infraForTest(env);
    const service = await serviceForTest(env);
    const base = service.ops?.url as string;

    expect(await get(`${base}/healthz`)).toEqual({ status: 200, text: '{"status":"ok"}' });
    const ready = await eventually(
      async () => {
        const r = await get(`${base}/readyz`);
        return r.status === 200 ? JSON.parse(r.text) : undefined;
      },
      { what: '/readyz 200' },
    );
    expect(ready).toMatchObject({
      ready: true,
      finance: { enabled: true, reason: 'configured' },
      database: { ok: true },
      registry: { ok: true },
      kafka: { ok: true },
    });
    expect(ready.consumers.map((c: { name: string; joined: boolean }) => [c.name, c.joined])).toEqual([
      ['pusher', true],
      ['recorder', true],
    ]);

    await publishLinesIngested(infra, april2026Event());
    await produce(testKafka(), env.TOPIC_LINES_INGESTED as string, [
      { key: 'k:bad', value: Buffer.from('nope') },
    ]);
    const metrics = await eventually(
      async () => {
        const text = (await get(`${base}/metrics`)).text;
        const done =
          metricValue(text, 'invoice_sync_events_total', { consumer: 'pusher', outcome: 'created' }) === 1 &&
          metricValue(text, 'invoice_sync_events_total', { consumer: 'pusher', outcome: 'dead_lettered' }) ===
            1 &&
          metricValue(text, 'invoice_sync_events_total', { consumer: 'recorder', outcome: 'recorded' }) === 1;
        return done ? text : undefined;
      },
      { what: 'created, dead_lettered and recorded counted' },
    );
    expect(
      metricValue(metrics, 'invoice_sync_finance_push_duration_seconds_count', { action: 'created' }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'invoice_sync_failures_total', {
        failure_class: 'permanent',
        code: 'EVENT_UNDECODABLE',
      }),
    ).toBe(1);
    expect(metrics).toMatch(
      new RegExp(
        `invoice_sync_consumer_lag\\{group="${env.PUSHER_GROUP_ID}",topic="[^"]+",partition="\\d+"\\} 0`,
      ),
    );
    expect(metrics).toContain('invoice_sync_paused_partitions');
    expect(metrics).toContain('process_resident_memory_bytes');
    expect(metrics).toContain('nodejs_eventloop_lag_seconds');
  });

  it('logs every event line with event_id, invoice key and coordinates, and never the secret or a token', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url, env: { LOG_LEVEL: 'debug' } });
    const infra = await infraForTest(env);
    const { lines, logger } = logCapture();
    await serviceForTest(env, { pusher: true, recorder: true }, logger);
    const event = april2026Event();
    await publishLinesIngested(infra, event);
    const pushedLine = await eventually(() => lines.find((l) => l.includes('pushed to finance')), {
      what: 'the push logged',
    });
    await eventually(() => lines.find((l) => l.includes('recorded push')), { what: 'the record logged' });

    const pushed = JSON.parse(pushedLine);
    expect(pushed).toMatchObject({
      level: 'info',
      event_id: event.event_id,
      invoice_key: invoiceKey(event),
      topic: env.TOPIC_LINES_INGESTED,
      action: 'created',
    });
    expect(typeof pushed.partition).toBe('number');
    expect(typeof pushed.offset).toBe('string');
    const everything = lines.join('\n');
    expect(everything).not.toContain(TEST_SECRET);
    expect(everything).not.toMatch(/Bearer\s/i);
    expect(everything).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./); // no JWT, encoded
  });
});
