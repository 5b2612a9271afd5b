// Throughput: the pusher draining a backlog against two bare kafkajs loops measured in the same run
// on the same broker (bench/baselines.ts), at each finance latency; with latency, also against the
// ceiling in-flight ÷ latency.
//   npm run bench:throughput   (BENCH_EVENTS=5000, BENCH_PARTITIONS=8, BENCH_FINANCE_LATENCIES=0,20,
//                               BENCH_ROUNDS=3, PUSHER_MAX_IN_FLIGHT=16, BENCH_PROFILE=<dir>)

import { randomBytes } from 'node:crypto';
import { buildLinesIngestedEvent } from '../src/ingest/build-lines-ingested.ts';
import { serializePayload } from '../src/invoice/finance-payload.ts';
import { normalizeInvoice } from '../src/invoice/normalize-invoice.ts';
import { FinanceTokenSource } from '../src/platform/finance/finance-token.ts';
import { bareLoop, type LoopFinance, type LoopKind } from './baselines.ts';
import {
  BENCH_LINES,
  benchConfig,
  benchId,
  benchKafka,
  deleteTopics,
  type Endpoints,
  startFinance,
} from './bench-kit.ts';
import { header, loadLine, median, runBench, table } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';
import { drainBacklog } from './drain.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 8);
const LATENCIES = (process.env.BENCH_FINANCE_LATENCIES ?? '0,20').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = Number(process.env.PUSHER_MAX_IN_FLIGHT ?? 16);
const SAMPLE = Buffer.alloc(1200, 1); // about the size of an encoded 33-line invoice

export async function main(): Promise<void> {
  const stack = await benchStack();
  const kafka = benchKafka(stack.endpoints);
  const loops: Record<LoopKind, number[]> = { 'per-record': [], 'per-record-finance': [], batched: [] };
  const loopFinance = await financeForLoop(stack.endpoints);
  const pusher = new Map<number, number[]>(LATENCIES.map((ms) => [ms, []]));
  const loads: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(loadLine());
    for (const kind of ['per-record', 'per-record-finance', 'batched'] as const) {
      const id = benchId();
      const { perSecond, topics } = await bareLoop(kind, {
        kafka,
        id,
        events: EVENTS,
        partitions: PARTITIONS,
        value: SAMPLE,
        finance: loopFinance,
      });
      loops[kind].push(perSecond);
      await deleteTopics(stack.endpoints, topics);
    }
    for (const financeLatencyMs of LATENCIES) {
      const drain = {
        id: benchId(),
        events: EVENTS,
        partitions: PARTITIONS,
        financeLatencyMs,
        inFlight: IN_FLIGHT,
      };
      pusher.get(financeLatencyMs)?.push(await drainBacklog(stack.endpoints, kafka, drain));
    }
  }
  report(loops, pusher, loads);
  loopFinance.stop();
  await stack.stop();
}

/**
 * A reference finance server at 0 ms for the loop with finance, a token it accepts, and each record's
 * body: the payload the pusher sends for a 33-line invoice, under the record's own invoice id.
 */
async function financeForLoop(endpoints: Endpoints): Promise<LoopFinance & { stop(): void }> {
  const secret = randomBytes(32).toString('hex');
  const finance = await startFinance(secret, 0);
  const config = benchConfig(endpoints, benchId(), { url: finance.url, secret });
  const token = await new FinanceTokenSource(config.finance, Buffer.from(secret)).token();
  const event = (id: string) =>
    buildLinesIngestedEvent({
      tenantId: config.finance.identity.tenantId,
      provider: 'digitalocean',
      providerInvoiceId: id,
      invoicePeriod: '2026-04-01',
      currency: 'USD',
      lines: BENCH_LINES,
    });
  return {
    url: finance.url,
    token,
    body: (key) => serializePayload(normalizeInvoice(event(`LOOP-${key}`)).payload),
    stop: () => finance.stop(),
  };
}

function report(loops: Record<LoopKind, number[]>, pusher: Map<number, number[]>, loads: string[]) {
  header('Throughput against bare kafkajs loops', 'npm run bench:throughput');
  console.log(
    `${EVENTS} events per run, ${PARTITIONS} partitions, PUSHER_MAX_IN_FLIGHT=${IN_FLIGHT}, median of ${ROUNDS} rounds; ${loads.join('; ')}\n`,
  );
  const perRecord = median(loops['per-record']);
  const withFinance = median(loops['per-record-finance']);
  const batched = median(loops.batched);
  const fmt = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
  const rows: (string | number)[][] = [
    [
      'bare loop: eachMessage → one produce per record',
      '',
      perRecord.toFixed(0),
      fmt(loops['per-record']),
      '1.00',
      (perRecord / batched).toFixed(2),
      (perRecord / withFinance).toFixed(2),
      '',
    ],
    [
      'bare loop: eachMessage → one finance import → one produce per record',
      '0 ms',
      withFinance.toFixed(0),
      fmt(loops['per-record-finance']),
      (withFinance / perRecord).toFixed(2),
      (withFinance / batched).toFixed(2),
      '1.00',
      '',
    ],
    [
      'bare loop: eachBatch → one produce per batch → commit',
      '',
      batched.toFixed(0),
      fmt(loops.batched),
      (batched / perRecord).toFixed(2),
      '1.00',
      (batched / withFinance).toFixed(2),
      '',
    ],
  ];
  for (const [latencyMs, runs] of pusher) {
    const rate = median(runs);
    const ceiling = latencyMs > 0 ? IN_FLIGHT / (latencyMs / 1000) : undefined;
    rows.push([
      'pusher: decode, normalize, skip check, finance push, announce',
      `${latencyMs} ms`,
      rate.toFixed(0),
      fmt(runs),
      (rate / perRecord).toFixed(2),
      (rate / batched).toFixed(2),
      latencyMs === 0 ? (rate / withFinance).toFixed(2) : '',
      ceiling === undefined ? '' : `${ceiling.toFixed(0)}/s: ${((rate / ceiling) * 100).toFixed(0)} %`,
    ]);
  }
  table(
    [
      'run',
      'finance',
      'events/s',
      'rounds',
      'vs per-record loop',
      'vs batched loop',
      'vs loop with finance',
      'ceiling in-flight ÷ latency: share',
    ],
    rows,
  );
}

if (import.meta.main) runBench('bench:throughput', main);
