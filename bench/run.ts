// Throughput: the pusher draining a backlog against two bare kafkajs loops measured in the same run
// on the same broker (bench/baselines.ts), at each finance latency; with latency, also against the
// ceiling in-flight ÷ latency.
//   npm run bench:throughput   (BENCH_EVENTS=5000, BENCH_PARTITIONS=8, BENCH_FINANCE_LATENCIES=0,20,
//                               BENCH_ROUNDS=3, PUSHER_MAX_IN_FLIGHT=16, BENCH_PROFILE=<dir>)

import { bareLoop, type LoopKind } from './baselines.ts';
import { benchId, benchKafka, deleteTopics } from './bench-kit.ts';
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
  const loops: Record<LoopKind, number[]> = { 'per-record': [], batched: [] };
  const pusher = new Map<number, number[]>(LATENCIES.map((ms) => [ms, []]));
  const loads: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(loadLine());
    for (const kind of ['per-record', 'batched'] as const) {
      const id = benchId();
      const { perSecond, topics } = await bareLoop(kind, {
        kafka,
        id,
        events: EVENTS,
        partitions: PARTITIONS,
        value: SAMPLE,
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
  await stack.stop();
}

function report(loops: Record<LoopKind, number[]>, pusher: Map<number, number[]>, loads: string[]) {
  header('Throughput against bare kafkajs loops', 'npm run bench:throughput');
  console.log(
    `${EVENTS} events per run, ${PARTITIONS} partitions, PUSHER_MAX_IN_FLIGHT=${IN_FLIGHT}, median of ${ROUNDS} rounds; ${loads.join('; ')}\n`,
  );
  const perRecord = median(loops['per-record']);
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
      '',
    ],
    [
      'bare loop: eachBatch → one produce per batch → commit',
      '',
      batched.toFixed(0),
      fmt(loops.batched),
      (batched / perRecord).toFixed(2),
      '1.00',
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
      'ceiling in-flight ÷ latency: share',
    ],
    rows,
  );
}

if (import.meta.main) runBench('bench:throughput', main);
