// Finance protection: the pusher drains a backlog into a finance that admits C imports at once (20 ms
// each) and answers 429 above that, with `Retry-After: 1` and without, while the adaptive limit has to
// find C on its own (PUSHER_MAX_IN_FLIGHT far above it). Reported: throughput against C ÷ 20 ms and
// against the pusher's own rate into a finance that admits everything with in-flight capped at C
// (measured in the same run: on a busy host the pusher, not finance, may be the ceiling), the share of
// answers that were 429 after the first 10 s, dead letters, and the limit's range over the last half.
//   npm run bench:finance-limit   (BENCH_LIMIT_CAPACITIES=4,16, BENCH_LIMIT_SECONDS=30, BENCH_PARTITIONS=8,
//                                  BENCH_FINANCE_LATENCY_MS=20, PUSHER_MAX_IN_FLIGHT=64)

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { Metrics } from '../src/ops/metrics.ts';
import { startService } from '../src/service/service.ts';
import { countRecords } from './baselines.ts';
import {
  benchConfig,
  benchId,
  benchKafka,
  benchLogger,
  cleanUp,
  type Endpoints,
  type FinanceProcess,
  publishBacklog,
  startFinance,
  waitUntil,
} from './bench-kit.ts';
import { header, loadLine, runBench, table } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';

const CAPACITIES = (process.env.BENCH_LIMIT_CAPACITIES ?? '4,16').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_LIMIT_SECONDS ?? 30);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 8);
const LATENCY_MS = Number(process.env.BENCH_FINANCE_LATENCY_MS ?? 20);
const MAX_IN_FLIGHT = Number(process.env.PUSHER_MAX_IN_FLIGHT ?? 64);
const WARM_UP_MS = 10_000; // 429s are counted after this
const SAMPLE_EVERY_MS = 100; // how often the limit is read

/** `open`: finance admits every call, the pusher capped at C in flight (the pusher's own ceiling). */
type Shedding = { kind: 'open' } | { kind: 'limited'; retryAfterSeconds: number | null };

interface Case {
  capacity: number;
  shedding: Shedding;
}

interface Result {
  events: number;
  seconds: number;
  perSecond: number;
  /** 429s among the answers after the first 10 s (undefined when the drain was shorter). */
  refusedAfterWarmUp: number | undefined;
  deadLetters: number;
  /** The limit over the last half of the drain: lowest, highest, and the share of samples at C. */
  limit: { min: number; max: number; atCapacity: number };
}

type Answers = Record<string, number>;

async function answers(finance: FinanceProcess): Promise<Answers> {
  return (await finance.stats()).byStatus as Answers;
}

/** 429s among the answers given between two snapshots of finance's counts. */
function refusedShare(before: Answers, after: Answers): number {
  let all = 0;
  for (const [status, count] of Object.entries(after)) all += count - (before[status] ?? 0);
  return ((after['429'] ?? 0) - (before['429'] ?? 0)) / Math.max(1, all);
}

async function currentLimit(metrics: Metrics): Promise<number> {
  return (await metrics.financeConcurrencyLimit.get()).values[0]?.value ?? 0;
}

async function deadLettered(metrics: Metrics): Promise<number> {
  const { values } = await metrics.events.get();
  return values.filter((v) => v.labels.outcome === 'dead_lettered').reduce((sum, v) => sum + v.value, 0);
}

/** Reads the limit every 100 ms, and finance's counts once 10 s have passed, until `stop()`. */
function watch(metrics: Metrics, finance: FinanceProcess) {
  const startedAt = Date.now();
  const samples: { at: number; limit: number }[] = [];
  let afterWarmUp: Answers | undefined;
  let running = true;
  const done = (async () => {
    while (running) {
      samples.push({ at: Date.now(), limit: await currentLimit(metrics) });
      if (afterWarmUp === undefined && Date.now() - startedAt >= WARM_UP_MS)
        afterWarmUp = await answers(finance);
      await sleep(SAMPLE_EVERY_MS);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      const endedAt = Date.now();
      const half = samples.filter((s) => s.at >= (startedAt + endedAt) / 2).map((s) => s.limit);
      return { seconds: (endedAt - startedAt) / 1000, afterWarmUp, half };
    },
  };
}

async function drain(endpoints: Endpoints, kafka: Kafka, c: Case): Promise<Result> {
  const id = benchId();
  const secret = randomBytes(32).toString('hex');
  const finance = await startFinance(secret, LATENCY_MS);
  const inFlight = String(c.shedding.kind === 'open' ? c.capacity : MAX_IN_FLIGHT);
  const config = benchConfig(
    endpoints,
    id,
    { url: finance.url, secret },
    {
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      PUSHER_MAX_IN_FLIGHT: inFlight,
      FINANCE_CONNECTIONS: inFlight,
    },
  );
  const events = Math.round((c.capacity / LATENCY_MS) * 1000 * SECONDS);
  try {
    if (c.shedding.kind === 'limited') {
      const concurrencyLimit = { max: c.capacity, retryAfterSeconds: c.shedding.retryAfterSeconds };
      await fetch(`${finance.url}/_admin/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ concurrencyLimit }),
      });
    }
    await publishBacklog(config, id, events);
    const out = await countRecords(kafka, config.topics.pushedToFinance, PARTITIONS);
    const service = await startService({
      config,
      roles: { pusher: true, recorder: false },
      logger: benchLogger,
      opsServer: false,
    });
    const { metrics } = service.infra;
    const watching = watch(metrics, finance);
    await waitUntil('every invoice announced', () => out.seen() >= events);
    const watched = await watching.stop();
    const final = await answers(finance);
    const result: Result = {
      events,
      seconds: watched.seconds,
      perSecond: out.perSecond(),
      refusedAfterWarmUp: watched.afterWarmUp && refusedShare(watched.afterWarmUp, final),
      deadLetters: await deadLettered(metrics),
      limit: {
        min: Math.min(...watched.half),
        max: Math.max(...watched.half),
        atCapacity: watched.half.filter((l) => l === c.capacity).length / Math.max(1, watched.half.length),
      },
    };
    await service.stop();
    await out.close();
    return result;
  } finally {
    finance.stop();
    await cleanUp(endpoints, config);
  }
}

const SHEDDINGS: Shedding[] = [
  { kind: 'open' },
  { kind: 'limited', retryAfterSeconds: 1 },
  { kind: 'limited', retryAfterSeconds: null },
];

export async function main(): Promise<void> {
  const stack = await benchStack();
  const kafka = benchKafka(stack.endpoints);
  const rows: (string | number)[][] = [];
  const loads: string[] = [];
  for (const capacity of CAPACITIES) {
    loads.push(`C = ${capacity}: ${loadLine()}`);
    let open = Number.NaN;
    for (const shedding of SHEDDINGS) {
      process.stderr.write(`[bench] finance-limit: C = ${capacity}, ${describe(shedding)}\n`);
      const result = await drain(stack.endpoints, kafka, { capacity, shedding });
      if (shedding.kind === 'open') open = result.perSecond;
      rows.push(row(capacity, shedding, result, open));
    }
  }
  header('Finance protection: a finance that admits C imports at once', 'npm run bench:finance-limit');
  console.log(
    `finance ${LATENCY_MS} ms per import, 429 above C; PUSHER_MAX_IN_FLIGHT=${MAX_IN_FLIGHT} (the open finance: C), ${PARTITIONS} partitions, a backlog of ${SECONDS} s at C ÷ ${LATENCY_MS} ms; ${loads.join('; ')}\n`,
  );
  table(
    [
      'C',
      'finance',
      'invoices',
      'drain s',
      'invoices/s',
      `vs C ÷ ${LATENCY_MS} ms`,
      'vs open finance, same C',
      '429 after 10 s',
      'dead letters',
      'limit over last half (share at C)',
    ],
    rows,
  );
  await stack.stop();
}

function describe(shedding: Shedding): string {
  if (shedding.kind === 'open') return 'admits every call (pusher capped at C)';
  return shedding.retryAfterSeconds === null
    ? '429 above C, no Retry-After'
    : `429 above C, Retry-After: ${shedding.retryAfterSeconds}`;
}

function row(capacity: number, shedding: Shedding, r: Result, open: number): (string | number)[] {
  const ceiling = (capacity / LATENCY_MS) * 1000;
  const pct = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 2 : 0)} %`;
  return [
    capacity,
    describe(shedding),
    r.events,
    r.seconds.toFixed(0),
    r.perSecond.toFixed(0),
    pct(r.perSecond / ceiling),
    shedding.kind === 'open' ? '1.00' : (r.perSecond / open).toFixed(2),
    r.refusedAfterWarmUp === undefined ? '–' : pct(r.refusedAfterWarmUp),
    r.deadLetters,
    `${r.limit.min}–${r.limit.max} (${pct(r.limit.atCapacity)})`,
  ];
}

if (import.meta.main) runBench('bench:finance-limit', main);
