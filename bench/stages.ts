// Where the time goes: the pusher in this process with every stage stamped (bench/stage-trace.ts),
// a separate publisher at a fixed rate, finance at BENCH_FINANCE_LATENCY_MS. Diagnosis, not a figure
// for BENCHMARKS.md's tables (tracing and the output reader share the service's process).
//   npm run bench:stages   (BENCH_RATE=200, BENCH_SECONDS=10, BENCH_FINANCE_LATENCY_MS=10, BENCH_LINES=33, BENCH_PARTITIONS=8)
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startService } from '../src/service/service.ts';
import {
  benchConfig,
  benchId,
  benchKafka,
  benchLogger,
  cleanUp,
  publishBacklog,
  startFinance,
  waitUntil,
} from './bench-kit.ts';
import { header, loadLine, runBench } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';
import { publish, quantile, timestamps, warmupCount } from './latency-kit.ts';
import { installStageTrace, STAGES, type Stage } from './stage-trace.ts';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LATENCY_MS = Number(process.env.BENCH_FINANCE_LATENCY_MS ?? 10);
const LINES = Number(process.env.BENCH_LINES ?? 33);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 8);

export async function main(): Promise<void> {
  const stack = await benchStack();
  const kafka = benchKafka(stack.endpoints);
  const id = benchId();
  const secret = randomBytes(32).toString('hex');
  const finance = await startFinance(secret, LATENCY_MS);
  const config = benchConfig(
    stack.endpoints,
    id,
    { url: finance.url, secret },
    { KAFKA_TOPIC_PARTITIONS: String(PARTITIONS) },
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
    // Warm-up, not counted (as in bench/latency.ts).
    const topic = config.topics.linesIngested;
    const warmup = warmupCount(RATE);
    await publish(stack.endpoints, {
      topic,
      schemaId,
      rate: RATE,
      count: warmup,
      lines: LINES,
      prefix: `WARM-${id}`,
    });
    await waitUntil('the warm-up pushed', () => seen.of(config.topics.pushedToFinance).size >= warmup);
    trace.limits.length = 0;
    trace.fetches.length = 0;
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    await publish(stack.endpoints, {
      topic: config.topics.linesIngested,
      schemaId,
      rate: RATE,
      count,
      lines: LINES,
      prefix: `STG-${id}`,
    });
    await waitUntil(
      'every invoice pushed',
      () => seen.of(config.topics.pushedToFinance).size >= warmup + count,
    );
    loop.disable();
    const measured = (key: string) => key.includes(`STG-${id}-`);
    report(seen.of(config.topics.linesIngested), seen.of(config.topics.pushedToFinance), trace, measured);
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    console.log(
      `event loop delay: p50 ${ms(loop.percentile(50))} ms, p99 ${ms(loop.percentile(99))} ms, max ${ms(loop.max)} ms`,
    );
  } finally {
    await service.stop();
    await seen.close();
    finance.stop();
    await cleanUp(stack.endpoints, config);
  }
  await stack.stop();
}

function report(
  input: Map<string, number>,
  output: Map<string, number>,
  trace: ReturnType<typeof installStageTrace>,
  measured: (key: string) => boolean,
) {
  const steps: [string, Stage | 'produced', Stage | 'pushed'][] = [
    ['produced → fetched', 'produced', 'fetched'],
    ['fetched → push started', 'fetched', 'pushStarted'],
    ['push started → skip checked', 'pushStarted', 'skipChecked'],
    ['skip checked → request sent', 'skipChecked', 'requestSent'],
    ['request sent → response headers', 'requestSent', 'responseHeaders'],
    ['response headers → finance answered', 'responseHeaders', 'financeAnswered'],
    ['finance answered → announced', 'financeAnswered', 'announced'],
    ['produced → pushed record', 'produced', 'pushed'],
  ];
  const at = (key: string, stage: Stage | 'produced' | 'pushed') =>
    stage === 'produced'
      ? input.get(key)
      : stage === 'pushed'
        ? output.get(key)
        : trace.stamps.get(key)?.[stage];
  header('Where a push spends its time', 'npm run bench:stages');
  console.log(
    `${loadLine()}; rate ${RATE}/s for ${SECONDS} s, finance ${LATENCY_MS} ms, stages: ${STAGES.join(', ')}\n`,
  );
  console.log('| step | p50 (ms) | p90 | p99 | max |');
  console.log('|---|---|---|---|---|');
  for (const [name, from, to] of steps) {
    const values = [...output.keys()]
      .filter(measured)
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

if (import.meta.main) runBench('bench:stages', main);
