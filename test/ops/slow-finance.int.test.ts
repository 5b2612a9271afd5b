import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { createTopics, testKafka, topicReader } from '../helpers/kafka.ts';
import {
  financeForTest,
  infraForTest,
  publishLinesIngested,
  serviceForTest,
  smallInvoice,
  testEnv,
} from '../helpers/service.ts';

const SESSION_TIMEOUT_MS = 6_000; // the broker's minimum
const LATENCY_MS = 8_000; // every finance call outlives the session timeout

describe('a finance slower than the consumer session timeout', () => {
  it('pushes each event once and keeps the group stable (no rebalance, no redelivery)', async () => {
    const finance = await financeForTest();
    finance.setFaults({ latencyMs: LATENCY_MS });
    const env = testEnv({
      financeUrl: finance.url,
      env: {
        KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
        KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
        FINANCE_HEADERS_TIMEOUT_MS: '30000',
      },
    });
    await createTopics(testKafka(), [{ topic: env.TOPIC_LINES_INGESTED as string, numPartitions: 1 }]);
    const infra = await infraForTest(env);
    const service = await serviceForTest(env, { pusher: true, recorder: false });
    const pushed = await topicReader(testKafka(), env.TOPIC_PUSHED_TO_FINANCE as string);
    await publishLinesIngested(infra, smallInvoice('INV-SLOW-1'));
    await publishLinesIngested(infra, smallInvoice('INV-SLOW-2'));

    await pushed.waitFor(2, 60_000);
    // Long enough after the pushes for a lost session to have shown up as a rebalance and redelivery.
    const quiet = Date.now() + SESSION_TIMEOUT_MS;
    await eventually(() => (Date.now() > quiet ? true : undefined), { timeoutMs: SESSION_TIMEOUT_MS * 2 });

    expect(finance.stats().requests).toBe(2);
    expect(finance.imports().map((i) => i.action)).toEqual(['created', 'created']);
    expect(pushed.messages).toHaveLength(2);
    const [pusher] = (await service.readiness()).consumers as { joins: number; joined: boolean }[];
    expect(pusher).toMatchObject({ joined: true, joins: 1 });
    await pushed.close();
  });
});
