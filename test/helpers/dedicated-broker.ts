import { onTestFinished } from 'vitest';
import {
  type DedicatedBroker,
  type DedicatedBrokerOptions,
  startDedicatedBroker,
} from '../../tools/stack/dedicated-broker.ts';

/**
 * A Kafka broker of this test's own, to kill and restart without touching the shared one; killed
 * and deleted when the test ends. Cold start ~3-5 s, restart after a kill ~5 s (2-core machine).
 */
export async function dedicatedBrokerForTest(options: DedicatedBrokerOptions = {}): Promise<DedicatedBroker> {
  const broker = await startDedicatedBroker({
    log: (line) => process.stderr.write(`[dedicated-broker] ${line}\n`),
    ...options,
  });
  onTestFinished(() => broker.close());
  return broker;
}
