// End-to-end latency at fixed publish rates: from the input record's timestamp to the pushed event's
// timestamp. The publisher (bench/publisher.ts) and the service (`invoice-finance-sync start --only
// pusher`) are separate processes; finance answers in 10 ms. The service's adaptive finance limit
// (invoice_sync_finance_concurrency_limit) is sampled from its /metrics while it runs.
//   npm run bench:latency   (BENCH_RATES=20,100,200,500, BENCH_SECONDS=10, BENCH_FINANCE_LATENCY_MS=10,
//                            BENCH_BROKER=dedicated, BENCH_SERVICE_NODE_OPTIONS)

import { benchKafka } from './bench-kit.ts';
import { header, runBench, table } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';
import { quantile, WARMUP_MIN_INVOICES, warmupCount } from './latency-kit.ts';
import { measureLatency } from './latency-run.ts';

const RATES = (process.env.BENCH_RATES ?? '20,100,200,500').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LATENCY_MS = Number(process.env.BENCH_FINANCE_LATENCY_MS ?? 10);

export async function main(): Promise<void> {
  const stack = await benchStack();
  const kafka = benchKafka(stack.endpoints);
  const rows = [];
  for (const rate of RATES) {
    const plan = {
      rate,
      count: rate * SECONDS,
      financeLatencyMs: LATENCY_MS,
      warmup: warmupCount(rate),
    };
    const { sorted, limit, load, cpu } = await measureLatency(stack.endpoints, kafka, plan);
    rows.push([
      rate,
      plan.count,
      quantile(sorted, 0.5),
      quantile(sorted, 0.99),
      sorted.at(-1) ?? '',
      limit,
      `${cpu.serviceMs} / ${cpu.financeMs}`,
      `${(cpu.machineBusy * 100).toFixed(0)} %`,
      load.replace('load average ', ''),
    ]);
  }
  header('Latency at fixed publish rates', 'npm run bench:latency');
  console.log(
    `finance latency: ${LATENCY_MS} ms; ${SECONDS} s of publishing per rate, after a warm-up of one second's invoices (at least ${WARMUP_MIN_INVOICES}) that is not counted; 33-line invoices\n`,
  );
  table(
    [
      'publish rate (/s)',
      'invoices',
      'p50 (ms)',
      'p99 (ms)',
      'max (ms)',
      'finance limit (min–max)',
      'CPU ms per invoice: service / finance',
      'machine busy (2 cores)',
      'load average',
    ],
    rows,
  );
  await stack.stop();
}

if (import.meta.main) runBench('bench:latency', main);
