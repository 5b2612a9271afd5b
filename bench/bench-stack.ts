// The stack a benchmark runs on, checked before any work: a component that does not answer is named
// in one line with its address and what to do, instead of a client retrying for a minute and then
// printing a stack trace.
import pg from 'pg';
import { startDedicatedBroker } from '../tools/stack/dedicated-broker.ts';
import { type EnsuredStack, ensureStack } from '../tools/stack/ensure-stack.ts';
import { kafkaMetadata } from '../tools/stack/probes.ts';
import { BenchError } from './bench-report.ts';

const HINT =
  'start it with `npm run stack -- up`, or point KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL at one';

/**
 * The stack, found or started like the tests do. BENCH_BROKER=dedicated runs Kafka as a broker of the
 * benchmark's own (fresh data, free ports, removed at the end) next to the shared registry and
 * PostgreSQL: a broker that test suites have filled with thousands of partitions answers slower and
 * bends every figure.
 */
export async function benchStack(): Promise<EnsuredStack> {
  let stack: EnsuredStack;
  try {
    stack = leftRunning(await ensureStack((line) => process.stderr.write(`[stack] ${line}\n`)));
    if (process.env.BENCH_BROKER === 'dedicated') stack = await withDedicatedBroker(stack);
  } catch (error) {
    throw new BenchError(`the stack could not be started: ${(error as Error).message}`);
  }
  const { kafkaBrokers, schemaRegistryUrl, databaseUrl } = stack.endpoints;
  const [host, port] = (kafkaBrokers.split(',')[0] ?? '').split(':');
  if (!(await kafkaMetadata(host ?? '', Number(port)))) {
    throw new BenchError(`Kafka at ${kafkaBrokers} does not answer a metadata request; ${HINT}`);
  }
  const registry = await fetch(`${schemaRegistryUrl}/subjects`, { signal: AbortSignal.timeout(3_000) }).then(
    (response) => (response.ok ? undefined : `answers ${response.status}`),
    (error: Error) =>
      `does not answer (${error.cause instanceof Error ? error.cause.message : error.message})`,
  );
  if (registry) throw new BenchError(`the schema registry at ${schemaRegistryUrl} ${registry}; ${HINT}`);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
  } catch (error) {
    const shown = databaseUrl.replace(/:[^:@/]*@/, ':***@');
    throw new BenchError(
      `PostgreSQL at ${shown} refused the benchmark (${(error as Error).message}); ${HINT}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  return stack;
}

async function withDedicatedBroker(stack: EnsuredStack): Promise<EnsuredStack> {
  const broker = await startDedicatedBroker({ log: (line) => process.stderr.write(`[broker] ${line}\n`) });
  return {
    ...stack,
    endpoints: { ...stack.endpoints, kafkaBrokers: broker.brokers },
    stop: async () => {
      await broker.close();
      await stack.stop();
    },
  };
}

/**
 * Like the tests, a benchmark leaves a JVM stack running (`npm run stack -- down` stops it): whether
 * this run started it is judged by a readiness probe, and a broker too busy to answer in time once
 * made a benchmark stop the stack everyone was using. Only testcontainers are stopped.
 */
function leftRunning(stack: EnsuredStack): EnsuredStack {
  return stack.source === 'docker' ? stack : { ...stack, stop: async () => {} };
}
