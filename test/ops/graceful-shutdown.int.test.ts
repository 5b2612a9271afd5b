import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
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

const CLI = fileURLToPath(new URL('../../bin/invoice-finance-sync.ts', import.meta.url));
const EVENTS = 24;

describe('graceful shutdown', () => {
  it('on SIGTERM mid-batch finishes in-flight pushes, commits, exits 0; a restart loses and repeats nothing', async () => {
    const finance = await financeForTest();
    finance.setFaults({ latencyMs: 300 });
    const env = testEnv({
      financeUrl: finance.url,
      env: { PUSHER_MAX_IN_FLIGHT: '4', LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '20000' },
    });
    await createTopics(testKafka(), [{ topic: env.TOPIC_LINES_INGESTED as string, numPartitions: 1 }]);
    const infra = await infraForTest(env);
    for (let i = 0; i < EVENTS; i++) await publishLinesIngested(infra, smallInvoice(`INV-SIGTERM-${i}`));

    const child = spawn(process.execPath, [CLI, 'start', '--only', 'pusher'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    // Mid-batch: some pushes done, others in flight, most not started.
    await eventually(() => (finance.stats().requests >= 6 ? true : undefined), { what: 'pushes under way' });
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code, output).toBe(0);
    expect(output).toContain('"msg":"shutting down"');
    expect(finance.stats().inFlight).toBe(0);
    const beforeRestart = finance.invoices().length;
    expect(beforeRestart).toBeGreaterThanOrEqual(6);
    expect(beforeRestart).toBeLessThan(EVENTS);

    await serviceForTest(env, { pusher: true, recorder: false });
    await eventually(() => (finance.invoices().length === EVENTS ? true : undefined), {
      what: `all ${EVENTS} invoices in finance`,
      timeoutMs: 60_000,
    });
    const pushed = await topicReader(testKafka(), env.TOPIC_PUSHED_TO_FINANCE as string);
    await pushed.waitFor(EVENTS);
    // Every event pushed exactly once: nothing lost, nothing repeated across the restart.
    expect(finance.imports().filter((i) => i.action === 'updated')).toEqual([]);
    expect(finance.stats().requests).toBe(EVENTS);
    expect(new Set(pushed.messages.map((m) => m.key)).size).toBe(EVENTS);
    expect(pushed.messages).toHaveLength(EVENTS);
    await pushed.close();
  });
});
