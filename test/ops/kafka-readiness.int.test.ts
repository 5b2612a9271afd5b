import { describe, expect, it } from 'vitest';
import { dedicatedBrokerForTest } from '../helpers/dedicated-broker.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  financeForTest,
  infraForTest,
  publishLinesIngested,
  serviceForTest,
  smallInvoice,
  testEnv,
} from '../helpers/service.ts';

interface ReadyzAnswer {
  status: number;
  body: { ready: boolean; kafka: { ok: boolean; error?: string } };
}

async function readyz(opsUrl: string): Promise<ReadyzAnswer> {
  const res = await fetch(`${opsUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as ReadyzAnswer['body'] };
}

const readyzWith = (opsUrl: string, status: number) => async () => {
  const answer = await readyz(opsUrl);
  return answer.status === status ? answer : undefined;
};

// The broker here is one of this test's own: killing the shared one would fail every other test.
describe('readiness and Kafka', () => {
  it('answers 503 naming Kafka within 10 s of the broker dying, 200 once it is back, and pushes again', async () => {
    const broker = await dedicatedBrokerForTest();
    process.stderr.write(
      `[kafka-readiness] dedicated broker ${broker.brokers} ready in ${broker.startMs} ms\n`,
    );
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url, env: { KAFKA_BROKERS: broker.brokers } });
    const service = await serviceForTest(env);
    const opsUrl = service.ops?.url as string;
    const up = await eventually(readyzWith(opsUrl, 200), { what: '/readyz 200 at start' });
    expect(up.body.kafka).toEqual({ ok: true });

    await broker.kill();
    const killedAt = Date.now();
    const down = await eventually(readyzWith(opsUrl, 503), { timeoutMs: 10_000, what: '/readyz 503' });
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(down.body.ready).toBe(false);
    expect(down.body.kafka.ok).toBe(false);
    expect(down.body.kafka.error).toMatch(new RegExp(`^Kafka brokers ${broker.brokers} unreachable: `));

    await broker.restart();
    process.stderr.write(`[kafka-readiness] dedicated broker restarted in ${broker.startMs} ms\n`);
    const back = await eventually(readyzWith(opsUrl, 200), { timeoutMs: 60_000, what: '/readyz 200 again' });
    expect(back.body.kafka).toEqual({ ok: true });

    // Not just the probe: the consumers recovered too, so an invoice published now reaches finance.
    const infra = await infraForTest(env);
    await publishLinesIngested(infra, smallInvoice('INV-AFTER-BROKER-RESTART'));
    await eventually(
      () =>
        finance.invoices().some((row) => row.external_id === 'INV-AFTER-BROKER-RESTART') ? true : undefined,
      { timeoutMs: 60_000, what: 'the invoice published after the restart in finance' },
    );
  });
});
