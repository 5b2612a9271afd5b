// Throughput and memory of the pusher against a bare kafkajs consume→produce loop, on the real stack.
//   npm run bench                    (BENCH_EVENTS=3000, BENCH_PARTITIONS=8, BENCH_FINANCE_LATENCY_MS=0)
// Finance is the reference server in a child process (as a remote service would be); Kafka, the
// registry and PostgreSQL are the stack that `ensureStack` finds or starts. Results go to stdout as
// a Markdown table for BENCHMARKS.md.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { ensureTopics } from '../src/adapters/kafka/kafka-client.ts';
import { startService } from '../src/app.ts';
import { quietKnownLibraryWarnings } from '../src/ops/process-warnings.ts';
import { ensureStack } from '../tools/stack/ensure-stack.ts';
import {
  benchConfig,
  benchLogger,
  dropDatabase,
  type Endpoints,
  machineLine,
  median,
  publishBacklog,
  startFinance,
  waitUntil,
} from './bench-kit.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 8);
const LATENCY_MS = Number(process.env.BENCH_FINANCE_LATENCY_MS ?? 0);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const FINANCE_PORT = 4710;
const run = randomBytes(3).toString('hex');

/** Counts records arriving on a topic from the beginning. */
async function counter(kafka: Kafka, topic: string) {
  let seen = 0;
  const consumer = kafka.consumer({ groupId: `bench-count-${run}-${topic}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch }) => {
      seen += batch.messages.length;
    },
  });
  return { seen: () => seen, close: () => consumer.disconnect() };
}

/** The reference: consume each record and produce one record per input, nothing else. */
async function bareLoop(kafka: Kafka, value: Buffer, round: number): Promise<number> {
  const [input, output] = [`bench-${run}-${round}-bare-in`, `bench-${run}-${round}-bare-out`];
  await ensureTopics(
    kafka,
    [input, output].map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
  );
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let i = 0; i < EVENTS; i += 500) {
    const messages = Array.from({ length: Math.min(500, EVENTS - i) }, (_, j) => ({
      key: `k${i + j}`,
      value,
    }));
    await producer.send({ topic: input, acks: -1, messages });
  }
  const out = await counter(kafka, output);
  const consumer = kafka.consumer({ groupId: `bench-bare-${run}-${round}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  const started = Date.now();
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachMessage: async ({ message }) => {
      await producer.send({
        topic: output,
        acks: -1,
        messages: [{ key: message.key, value: message.value }],
      });
    },
  });
  await waitUntil('bare loop output', () => out.seen() >= EVENTS);
  const seconds = (Date.now() - started) / 1000;
  await Promise.all([consumer.disconnect(), out.close(), producer.disconnect()]);
  return EVENTS / seconds;
}

async function pipeline(kafka: Kafka, endpoints: Endpoints, round: number) {
  const id = `${run}-${round}`;
  const secret = randomBytes(32).toString('hex');
  const finance = await startFinance(secret, FINANCE_PORT, LATENCY_MS);
  const config = benchConfig(
    endpoints,
    id,
    { url: finance.url, secret },
    {
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      PUSHER_MAX_IN_FLIGHT: process.env.PUSHER_MAX_IN_FLIGHT ?? '32',
      FINANCE_CONNECTIONS: process.env.FINANCE_CONNECTIONS ?? '32',
    },
  );
  // Publish first with a service that only sets up topics, schemas and the database...
  await publishBacklog(config, id, EVENTS);
  const out = await counter(kafka, config.topics.pushedToFinance);
  // ...then measure the pusher draining the backlog.
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  const profiler = await startProfiler();
  const started = Date.now();
  const service = await startService({
    config,
    roles: { pusher: true, recorder: false },
    logger: benchLogger,
    opsServer: false,
  });
  await waitUntil('pushed events', () => out.seen() >= EVENTS);
  const seconds = (Date.now() - started) / 1000;
  await profiler.stop(`pusher-${id}`);
  clearInterval(sampler);
  await service.stop();
  await out.close();
  finance.child.kill('SIGTERM');
  await dropDatabase(endpoints, config);
  return { perSecond: EVENTS / seconds, seconds, rssPeakMiB: rssPeak / 2 ** 20 };
}

/** BENCH_PROFILE=<dir>: a CPU profile (.cpuprofile, for Chrome DevTools) of each drain phase only. */
async function startProfiler() {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return { stop: async (_name: string) => {} };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async (name: string) => {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function main() {
  quietKnownLibraryWarnings();
  const stack = await ensureStack((line) => process.stderr.write(`[stack] ${line}\n`));
  const kafka = new Kafka({
    clientId: 'bench',
    brokers: stack.endpoints.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const sample = Buffer.alloc(1200, 1); // about the size of an encoded 33-line invoice
  const bare: number[] = [];
  const piped: Awaited<ReturnType<typeof pipeline>>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (!process.env.BENCH_SKIP_BARE) bare.push(await bareLoop(kafka, sample, round));
    piped.push(await pipeline(kafka, stack.endpoints, round));
  }
  const bareRate = median(bare);
  const pipedRate = median(piped.map((p) => p.perSecond));
  console.log(machineLine());
  console.log(
    `events: ${EVENTS} per run, ${ROUNDS} rounds (median), partitions: ${PARTITIONS}, finance latency: ${LATENCY_MS} ms`,
  );
  console.log('| run | events/s (median) | all rounds | ratio to bare loop | peak RSS (MiB) |');
  console.log('|---|---|---|---|---|');
  console.log(
    `| bare kafkajs consume→produce | ${bareRate.toFixed(0)} | ${bare.map((r) => r.toFixed(0)).join(', ')} | 1.00 | |`,
  );
  console.log(
    `| pusher: decode, normalize, skip check, finance push, announce | ${pipedRate.toFixed(0)} | ${piped.map((p) => p.perSecond.toFixed(0)).join(', ')} | ${(pipedRate / bareRate).toFixed(2)} | ${Math.max(...piped.map((p) => p.rssPeakMiB)).toFixed(0)} |`,
  );
  await stack.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
