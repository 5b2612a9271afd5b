// Throughput and memory of the pusher against a bare kafkajs consume→produce loop, on the real stack.
//   npm run bench                    (BENCH_EVENTS=3000, BENCH_PARTITIONS=8, BENCH_FINANCE_LATENCY_MS=0)
// Finance is the reference server in a child process (as a remote service would be); Kafka, the
// registry and PostgreSQL are the stack that `ensureStack` finds or starts. Results go to stdout as
// a Markdown table for BENCHMARKS.md.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';
import { ensureTopics } from '../src/adapters/kafka/kafka-client.ts';
import { startService } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import { invoiceKey } from '../src/events/invoice-events.ts';
import { buildLinesIngestedEvent } from '../src/ingest/build-lines-ingested.ts';
import { createLogger } from '../src/ops/logger.ts';
import { quietKnownLibraryWarnings } from '../src/ops/process-warnings.ts';
import { ensureStack } from '../tools/stack/ensure-stack.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 8);
const LATENCY_MS = Number(process.env.BENCH_FINANCE_LATENCY_MS ?? 0);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const FINANCE_PORT = 4710;
const run = randomBytes(3).toString('hex');

async function waitUntil(what: string, check: () => boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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

async function startFinance(secret: string): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('../tools/finance-server/main.ts', import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, FINANCE_JWT_SECRET: secret, FINANCE_SERVER_PORT: String(FINANCE_PORT) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout as NodeJS.ReadableStream, 'data');
  if (LATENCY_MS > 0) {
    await fetch(`http://127.0.0.1:${FINANCE_PORT}/_admin/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: LATENCY_MS }),
    });
  }
  return child;
}

async function pipeline(
  kafka: Kafka,
  endpoints: { kafkaBrokers: string; schemaRegistryUrl: string; databaseUrl: string },
  round: number,
) {
  const id = `${run}-${round}`;
  const secret = randomBytes(32).toString('hex');
  const finance = await startFinance(secret);
  const db = new URL(endpoints.databaseUrl);
  db.pathname = `/ifs_bench_${id.replace('-', '_')}`;
  const config = loadConfig({
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
    DATABASE_URL: db.toString(),
    TOPIC_LINES_INGESTED: `bench-${id}.lines_ingested`,
    TOPIC_PUSHED_TO_FINANCE: `bench-${id}.pushed_to_finance`,
    TOPIC_LINES_INGESTED_DLQ: `bench-${id}.lines_ingested.dlq`,
    TOPIC_PUSHED_TO_FINANCE_DLQ: `bench-${id}.pushed_to_finance.dlq`,
    PUSHER_GROUP_ID: `bench-pusher-${id}`,
    KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
    SKYAI_FINANCE_URL: `http://127.0.0.1:${FINANCE_PORT}`,
    FINANCE_JWT_SECRET: secret,
    PUSHER_MAX_IN_FLIGHT: process.env.PUSHER_MAX_IN_FLIGHT ?? '32',
    FINANCE_CONNECTIONS: process.env.FINANCE_CONNECTIONS ?? '32',
    HTTP_PORT: '0',
  });
  const logger = createLogger({ level: 'warn', pretty: false });
  // Publish first with a service that only sets up topics, schemas and the database...
  const publisher = await startService({
    config,
    roles: { pusher: false, recorder: false },
    logger,
    opsServer: false,
  });
  const lines = Array.from({ length: 33 }, (_, i) => ({
    description: i === 32 ? 'GST (10%)' : `Droplet ${i}`,
    amount_minor: 250,
    product: 'Droplets',
    resource_id: null,
    project: 'bench',
  }));
  const { infra } = publisher;
  for (let i = 0; i < EVENTS; i += 500) {
    const messages = [];
    for (let j = i; j < Math.min(EVENTS, i + 500); j++) {
      const event = buildLinesIngestedEvent({
        tenantId: 'platform-admin',
        provider: 'digitalocean',
        providerInvoiceId: `BENCH-${id}-${j}`,
        invoicePeriod: '2026-04-01',
        currency: 'USD',
        lines,
      });
      const value = await infra.codec.encode(
        infra.schemaIds.linesIngested,
        infra.contracts.linesIngested,
        event,
      );
      messages.push({ key: invoiceKey(event), value });
    }
    await infra.producer.send({ topic: config.topics.linesIngested, acks: -1, messages });
  }
  await publisher.stop();
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
    logger,
    opsServer: false,
  });
  await waitUntil('pushed events', () => out.seen() >= EVENTS);
  const seconds = (Date.now() - started) / 1000;
  await profiler.stop(`pusher-${id}`);
  clearInterval(sampler);
  await service.stop();
  await out.close();
  finance.kill('SIGTERM');
  const admin = new pg.Client({ connectionString: endpoints.databaseUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${db.pathname.slice(1)}" with (force)`);
  await admin.end();
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
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const bareRate = median(bare);
  const pipedRate = median(piped.map((p) => p.perSecond));
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
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
