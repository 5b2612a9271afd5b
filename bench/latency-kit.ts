// Shared by the latency benchmarks: record timestamps by key, the publisher child process, percentiles.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import type { Endpoints } from './bench-kit.ts';
import { BenchError } from './bench-report.ts';
import { spawnChild } from './children.ts';

const PUBLISHER = fileURLToPath(new URL('./publisher.ts', import.meta.url));

/** Record timestamps by key on each topic, read from the beginning. */
export async function timestamps(kafka: Kafka, topics: string[]) {
  const seen = new Map<string, Map<string, number>>(topics.map((t) => [t, new Map()]));
  const consumer = kafka.consumer({
    groupId: `bench-latency-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 8,
    eachBatch: async ({ batch }) => {
      const byKey = seen.get(batch.topic);
      for (const m of batch.messages) byKey?.set(m.key?.toString() ?? '', Number(m.timestamp));
    },
  });
  return {
    of: (topic: string) => seen.get(topic) as Map<string, number>,
    close: () => consumer.disconnect(),
  };
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export interface PublishPlan {
  topic: string;
  schemaId: number;
  rate: number;
  count: number;
  prefix: string;
  /** Lines per invoice (default 33). */
  lines?: number;
}

/** Fewest invoices a warm-up publishes (see LatencyPlan.warmup). */
export const WARMUP_MIN_INVOICES = 20;

/** The uncounted warm-up before a latency measurement: one second's invoices at `rate`, at least 20. */
export function warmupCount(rate: number): number {
  return Math.max(WARMUP_MIN_INVOICES, rate);
}

/** Runs bench/publisher.ts as its own process and waits for it; throws naming its exit code. */
export async function publish(endpoints: Endpoints, plan: PublishPlan): Promise<void> {
  const publisher = spawnChild(process.execPath, [PUBLISHER], {
    env: {
      ...process.env,
      BENCH_BROKERS: endpoints.kafkaBrokers,
      BENCH_REGISTRY: endpoints.schemaRegistryUrl,
      BENCH_TOPIC: plan.topic,
      BENCH_SCHEMA_ID: String(plan.schemaId),
      BENCH_RATE: String(plan.rate),
      BENCH_COUNT: String(plan.count),
      BENCH_PREFIX: plan.prefix,
      BENCH_LINES: String(plan.lines ?? 33),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await exited(publisher);
  if (code !== 0) throw new BenchError(`the publisher (bench/publisher.ts) exited with ${code}`);
}

/** The q-quantile of ascending `sorted`: the value at rank floor(q·n) + 1, never below the nearest-rank one. */
export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Latencies (ms) from each input record to the output record of the same key, ascending. */
export function latencies(
  input: Map<string, number>,
  output: Map<string, number>,
  counted: (key: string) => boolean = () => true,
): number[] {
  return [...output]
    .filter(([key]) => counted(key))
    .map(([key, at]) => at - (input.get(key) ?? Number.NaN))
    .filter((ms) => !Number.isNaN(ms))
    .sort((a, b) => a - b);
}

/** A TCP port free right now (for a child's HTTP server whose address we must know). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
