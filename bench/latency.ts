// End-to-end latency at fixed publish rates: from the input record's timestamp to the pushed event's
// timestamp. The publisher (bench/publisher.ts) and the service (`invoice-finance-sync start --only
// pusher`) are separate processes; finance answers in 10 ms.
//   npm run bench:latency   (BENCH_RATES=20,100,200,500, BENCH_SECONDS=10, BENCH_FINANCE_LATENCY_MS=10)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../src/config/config.ts';
import { quietKnownLibraryWarnings } from '../src/ops/process-warnings.ts';
import { ensureStack } from '../tools/stack/ensure-stack.ts';
import {
  benchEnv,
  benchId,
  dropDatabase,
  type Endpoints,
  machineLine,
  publishBacklog,
  startFinance,
  waitUntil,
} from './bench-kit.ts';

const RATES = (process.env.BENCH_RATES ?? '20,100,200,500').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LATENCY_MS = Number(process.env.BENCH_FINANCE_LATENCY_MS ?? 10);
const FINANCE_PORT = 4712;
const OPS_PORT = 9471;
const CLI = fileURLToPath(new URL('../bin/invoice-finance-sync.ts', import.meta.url));
const PUBLISHER = fileURLToPath(new URL('./publisher.ts', import.meta.url));

/** Record timestamps by key on the input and the pushed topic. */
async function timestamps(kafka: Kafka, topics: string[]) {
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

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function measure(endpoints: Endpoints, kafka: Kafka, rate: number) {
  const id = benchId();
  const secret = randomBytes(32).toString('hex');
  const finance = await startFinance(secret, FINANCE_PORT, LATENCY_MS);
  const env = benchEnv(
    endpoints,
    id,
    { url: finance.url, secret },
    { HTTP_PORT: String(OPS_PORT), LOG_LEVEL: 'warn' },
  );
  const config = loadConfig(env);
  const schemaId = await publishBacklog(config, id, 0);
  const service = spawn(process.execPath, [CLI, 'start', '--only', 'pusher'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const count = rate * SECONDS;
  const seen = await timestamps(kafka, [config.topics.linesIngested, config.topics.pushedToFinance]);
  try {
    await pollReady();
    const publisher = spawn(process.execPath, [PUBLISHER], {
      env: {
        ...process.env,
        BENCH_BROKERS: endpoints.kafkaBrokers,
        BENCH_REGISTRY: endpoints.schemaRegistryUrl,
        BENCH_TOPIC: config.topics.linesIngested,
        BENCH_SCHEMA_ID: String(schemaId),
        BENCH_RATE: String(rate),
        BENCH_COUNT: String(count),
        BENCH_PREFIX: `LAT-${id}`,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if ((await exited(publisher)) !== 0) throw new Error('the publisher failed');
    await waitUntil('every invoice pushed', () => seen.of(config.topics.pushedToFinance).size >= count);
    const input = seen.of(config.topics.linesIngested);
    const latencies = [...seen.of(config.topics.pushedToFinance)]
      .map(([key, at]) => at - (input.get(key) ?? Number.NaN))
      .sort((a, b) => a - b);
    const at = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
    return { rate, count, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? Number.NaN };
  } finally {
    service.kill('SIGTERM');
    await exited(service);
    await seen.close();
    finance.child.kill('SIGTERM');
    await dropDatabase(endpoints, config);
  }
}

async function pollReady(): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${OPS_PORT}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the service did not become ready within 60 s');
}

async function main() {
  quietKnownLibraryWarnings();
  const stack = await ensureStack((line) => process.stderr.write(`[stack] ${line}\n`));
  const kafka = new Kafka({
    clientId: 'bench',
    brokers: stack.endpoints.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const rows = [];
  for (const rate of RATES) rows.push(await measure(stack.endpoints, kafka, rate));
  console.log(machineLine());
  console.log(`finance latency: ${LATENCY_MS} ms; ${SECONDS} s of publishing per rate`);
  console.log('| publish rate (/s) | invoices | p50 (ms) | p99 (ms) | max (ms) |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.rate} | ${r.count} | ${r.p50} | ${r.p99} | ${r.max} |`);
  await stack.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
