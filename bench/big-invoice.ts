// A very large invoice: 10,000 lines (a 630 kB finance body, a 330 kB Avro record), from its publish
// to its pushed event, finance answering at once; the service and the publisher are processes of
// their own. Invoices are published one per second so none waits behind another.
//   npm run bench:big-invoice   (BENCH_BIG_LINES=10000, BENCH_BIG_COUNT=10)

import { benchKafka } from './bench-kit.ts';
import { header, runBench, table } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';
import { quantile } from './latency-kit.ts';
import { measureLatency } from './latency-run.ts';

const LINES = Number(process.env.BENCH_BIG_LINES ?? 10_000);
const COUNT = Number(process.env.BENCH_BIG_COUNT ?? 10);

export async function main(): Promise<void> {
  const stack = await benchStack();
  const plan = { rate: 1, count: COUNT, financeLatencyMs: 0, lines: LINES };
  const { sorted, load } = await measureLatency(stack.endpoints, benchKafka(stack.endpoints), plan);
  header('A very large invoice', 'npm run bench:big-invoice');
  console.log(`${COUNT} invoices of ${LINES} lines, one per second, finance at 0 ms; ${load}\n`);
  table(
    ['lines', 'invoices', 'publish → pushed p50 (ms)', 'max (ms)', 'all (ms)'],
    [[LINES, COUNT, quantile(sorted, 0.5), sorted.at(-1) ?? '', sorted.join(', ')]],
  );
  await stack.stop();
}

if (import.meta.main) runBench('bench:big-invoice', main);
