// Where the time goes: the pusher in this process with every stage stamped (bench/stage-trace.ts),
// a separate publisher at a fixed rate, finance at BENCH_FINANCE_LATENCY_MS. Diagnosis, not a figure
// for BENCHMARKS.md's tables (tracing and the output reader share the service's process).
//   npm run bench:stages   (BENCH_RATE=200, BENCH_SECONDS=10, BENCH_FINANCE_LATENCY_MS=10)
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { startService } from '../src/app.ts';
import { quietKnownLibraryWarnings } from '../src/ops/process-warnings.ts';
import { ensureStack } from '../tools/stack/ensure-stack.ts';
import {
  benchConfig,
  benchId,
  benchLogger,
  dropDatabase,
  machineLine,
  publishBacklog,
  startFinance,
  waitUntil,
} from './bench-kit.ts';
import { publish, quantile, timestamps } from './latency-kit.ts';
import { installStageTrace, STAGES, type Stage } from './stage-trace.ts';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LATENCY_MS = Number(process.env.BENCH_FINANCE_LATENCY_MS ?? 10);
const FINANCE_PORT = 4713;

async function main() {
  quietKnownLibraryWarnings();
  const stack = await ensureStack((line) => process.stderr.write(`[stack] ${line}\n`));
  const kafka = new Kafka({
    clientId: 'bench',
    brokers: stack.endpoints.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const id = benchId();
  const secret = randomBytes(32).toString('hex');
  const finance = await startFinance(secret, FINANCE_PORT, LATENCY_MS);
  const config = benchConfig(
    stack.endpoints,
    id,
    { url: finance.url, secret },
    { KAFKA_TOPIC_PARTITIONS: '8' },
  );
  const trace = installStageTrace(config.pusher.groupId);
  const schemaId = await publishBacklog(config, id, 0);
  const service = await startService({
    config,
    roles: { pusher: true, recorder: false },
    logger: benchLogger,
    opsServer: false,
  });
  const seen = await timestamps(kafka, [config.topics.linesIngested, config.topics.pushedToFinance]);
  const count = RATE * SECONDS;
  try {
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // both groups joined
    await publish(stack.endpoints, {
      topic: config.topics.linesIngested,
      schemaId,
      rate: RATE,
      count,
      prefix: `STG-${id}`,
    });
    await waitUntil('every invoice pushed', () => seen.of(config.topics.pushedToFinance).size >= count);
    report(seen.of(config.topics.linesIngested), seen.of(config.topics.pushedToFinance), trace);
  } finally {
    await service.stop();
    await seen.close();
    finance.child.kill('SIGTERM');
    await dropDatabase(stack.endpoints, config);
  }
  await stack.stop();
}

function report(
  input: Map<string, number>,
  output: Map<string, number>,
  trace: ReturnType<typeof installStageTrace>,
) {
  const steps: [string, Stage | 'produced', Stage | 'pushed'][] = [
    ['produced → fetched', 'produced', 'fetched'],
    ['fetched → push started', 'fetched', 'pushStarted'],
    ['push started → skip checked', 'pushStarted', 'skipChecked'],
    ['skip checked → finance answered', 'skipChecked', 'financeAnswered'],
    ['finance answered → announced', 'financeAnswered', 'announced'],
    ['announced → batch done', 'announced', 'batchDone'],
    ['produced → pushed record', 'produced', 'pushed'],
  ];
  const at = (key: string, stage: Stage | 'produced' | 'pushed') =>
    stage === 'produced'
      ? input.get(key)
      : stage === 'pushed'
        ? output.get(key)
        : trace.stamps.get(key)?.[stage];
  console.log(machineLine());
  console.log(`rate ${RATE}/s for ${SECONDS} s, finance ${LATENCY_MS} ms, stages: ${STAGES.join(', ')}`);
  console.log('| step | p50 (ms) | p90 | p99 | max |');
  console.log('|---|---|---|---|---|');
  for (const [name, from, to] of steps) {
    const values = [...output.keys()]
      .map((key) => (at(key, to) ?? Number.NaN) - (at(key, from) ?? Number.NaN))
      .filter((v) => !Number.isNaN(v))
      .sort((a, b) => a - b);
    console.log(
      `| ${name} | ${quantile(values, 0.5)} | ${quantile(values, 0.9)} | ${quantile(values, 0.99)} | ${values.at(-1)} |`,
    );
  }
  const limits = [...trace.limits].sort((a, b) => a - b);
  console.log(
    `finance limit at call start: min ${limits[0]}, p50 ${quantile(limits, 0.5)}, max ${limits.at(-1)}`,
  );
  console.log(`records handed to the handler again after their batch ended: ${trace.refetched}`);
  const fetches = trace.fetches;
  const sizes = fetches.map((f) => f.records).sort((a, b) => a - b);
  const gaps = fetches
    .slice(1)
    .map((f, i) => f.at - (fetches[i]?.at ?? 0))
    .sort((a, b) => a - b);
  console.log(
    `fetches with records: ${fetches.length}; records per fetch p50 ${quantile(sizes, 0.5)} max ${sizes.at(-1)}; between fetch starts p50 ${quantile(gaps, 0.5)} ms p99 ${quantile(gaps, 0.99)} ms`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
