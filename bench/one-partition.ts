// One partition, many keys: every invoice has its own key, so the pusher may push them concurrently
// although they share a partition (order is kept per key, not per partition). Measured at 0 ms and at
// 20 ms of finance latency in the same run; the target is 80 % of min(in-flight ÷ 20 ms, the 0 ms rate).
//   npm run bench:one-partition   (BENCH_EVENTS=5000, BENCH_ROUNDS=3, PUSHER_MAX_IN_FLIGHT=16)

import { benchId, benchKafka } from './bench-kit.ts';
import { header, loadLine, median, runBench, table } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';
import { drainBacklog } from './drain.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = Number(process.env.PUSHER_MAX_IN_FLIGHT ?? 16);
const LATENCY_MS = 20;

export async function main(): Promise<void> {
  const stack = await benchStack();
  const kafka = benchKafka(stack.endpoints);
  const rates = new Map<number, number[]>([
    [0, []],
    [LATENCY_MS, []],
  ]);
  const loads: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(loadLine());
    for (const [financeLatencyMs, runs] of rates) {
      const drain = { id: benchId(), events: EVENTS, partitions: 1, financeLatencyMs, inFlight: IN_FLIGHT };
      runs.push(await drainBacklog(stack.endpoints, kafka, drain));
    }
  }
  const atOnce = median(rates.get(0) ?? []);
  const slow = median(rates.get(LATENCY_MS) ?? []);
  const ceiling = IN_FLIGHT / (LATENCY_MS / 1000);
  const bound = Math.min(ceiling, atOnce);
  header('One partition, many keys', 'npm run bench:one-partition');
  console.log(
    `${EVENTS} invoices, each its own key, 1 partition, PUSHER_MAX_IN_FLIGHT=${IN_FLIGHT}, median of ${ROUNDS} rounds; ${loads.join('; ')}\n`,
  );
  const fmt = (runs: number[] | undefined) => (runs ?? []).map((r) => r.toFixed(0)).join(', ');
  table(
    ['finance', 'events/s', 'rounds', 'bound: min(in-flight ÷ latency, 0 ms rate)', 'share of bound'],
    [
      ['0 ms', atOnce.toFixed(0), fmt(rates.get(0)), '', ''],
      [
        `${LATENCY_MS} ms`,
        slow.toFixed(0),
        fmt(rates.get(LATENCY_MS)),
        `min(${ceiling.toFixed(0)}, ${atOnce.toFixed(0)}) = ${bound.toFixed(0)}`,
        `${((slow / bound) * 100).toFixed(0)} %`,
      ],
    ],
  );
  await stack.stop();
}

if (import.meta.main) runBench('bench:one-partition', main);
