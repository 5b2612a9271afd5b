// A flood from one tenant next to another tenant's trickle, with the fair scheduler and without it, in
// one run: tenant acme's backlog of BENCH_FLOOD invoices is published first; while the service drains
// it, tenant globex publishes BENCH_QUIET_RATE invoices a second into the same partitions. The targets:
// globex's p99 (event → pushed) within 2 × its p99 with no flood, and acme's drain rate at least 90 % of
// its rate in offset order (PUSHER_FAIR_SCHEDULING=false).
//   npm run bench:tenant-flood   (BENCH_FLOOD=20000, BENCH_QUIET_RATE=5, BENCH_QUIET_SECONDS=30,
//                                 BENCH_FINANCE_LATENCY_MS=20, BENCH_MAX_IN_FLIGHT=32, BENCH_READ_AHEAD unset:
//                                 the default read-ahead, the flood parked beyond it;
//                                 BENCH_FLOOD_AT=start: a backlog before the service starts, or running;
//                                 BENCH_MODES=fair or offset-order: one scheduler's two runs alone;
//                                 BENCH_SERVICE_NODE_OPTIONS: node options of the service alone;
//                                 BENCH_SERVICE_CPUS=1: the service on those CPUs alone (taskset; see
//                                 BENCHMARKS.md for pinning the rest to the others);
//                                 BENCH_SERVICE_STDOUT=<file>: what the service prints, kept (e.g. V8's
//                                 GC trace, from an --import hook calling v8.setFlagsFromString('--trace-gc'):
//                                 NODE_OPTIONS refuses --trace-gc);
//                                 BENCH_DUMP=<file>: every run's latencies and CPU as JSON;
//                                 BENCH_TRACE=1: where globex's slowest invoices waited, stage by stage;
//                                 the service's own variables pass through, e.g. TENANT_MAX_RATE=acme=300)

import { writeFileSync } from 'node:fs';
import { benchKafka } from './bench-kit.ts';
import { header, loadLine, runBench, table } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';
import { quantile } from './latency-kit.ts';
import { readTrace, traceLines } from './service-trace-report.ts';
import { type FloodResult, measureFlood } from './tenant-flood-run.ts';

const FLOOD = Number(process.env.BENCH_FLOOD ?? 20_000);
const QUIET_RATE = Number(process.env.BENCH_QUIET_RATE ?? 5);
const QUIET_SECONDS = Number(process.env.BENCH_QUIET_SECONDS ?? 30);
const LATENCY_MS = Number(process.env.BENCH_FINANCE_LATENCY_MS ?? 20);
const MAX_IN_FLIGHT = Number(process.env.BENCH_MAX_IN_FLIGHT ?? 32);
// Where the flood's first moments end, for the figure of globex's invoices published after them.
const SETTLED_S = 1.5;
// start: acme's flood is a backlog when the service starts; running: published at once 5 s into the run.
const FLOOD_AT: 'start' | 'running' = process.env.BENCH_FLOOD_AT === 'running' ? 'running' : 'start';

const RUNS = [
  { name: 'no flood, fair', flood: 0, fair: true },
  { name: 'flood, fair', flood: FLOOD, fair: true },
  { name: 'no flood, offset order', flood: 0, fair: false },
  { name: 'flood, offset order', flood: FLOOD, fair: false },
] as const;

export async function main(): Promise<void> {
  const stack = await benchStack();
  const kafka = benchKafka(stack.endpoints);
  const results = new Map<string, FloodResult & { load: string }>();
  // BENCH_MODES=fair (or offset-order): one scheduler's two runs alone, e.g. while tuning it.
  const modes = (process.env.BENCH_MODES ?? 'fair,offset-order').split(',');
  for (const run of RUNS.filter((r) => modes.includes(r.fair ? 'fair' : 'offset-order'))) {
    process.stderr.write(`[tenant-flood] ${run.name}\n`);
    const plan = {
      ...run,
      floodAt: FLOOD_AT,
      quietRate: QUIET_RATE,
      quietSeconds: QUIET_SECONDS,
      financeLatencyMs: LATENCY_MS,
      maxInFlight: MAX_IN_FLIGHT,
    };
    results.set(run.name, { ...(await measureFlood(stack.endpoints, kafka, plan)), load: loadLine() });
  }
  // BENCH_DUMP=<file>: every run's latencies as JSON, to compare settings beyond the table.
  if (process.env.BENCH_DUMP)
    writeFileSync(process.env.BENCH_DUMP, JSON.stringify(Object.fromEntries(results)));
  header('A flood from one tenant beside another tenant', 'npm run bench:tenant-flood');
  const readAhead = process.env.BENCH_READ_AHEAD ?? '5000 (the default)';
  console.log(
    `acme: ${FLOOD.toLocaleString('en-US')} 33-line invoices published ${FLOOD_AT === 'start' ? 'before the pusher starts' : 'at once, 5 s after globex began, while the pusher runs'}; globex: ${QUIET_RATE} a second, for at least ${QUIET_SECONDS} s and until acme is drained; finance at ${LATENCY_MS} ms; PUSHER_MAX_IN_FLIGHT=${MAX_IN_FLIGHT}; PUSHER_READ_AHEAD_RECORDS=${readAhead}; 6 partitions\n`,
  );
  table(
    [
      'run',
      'globex invoices',
      'globex p50 (ms)',
      'globex p99 (ms)',
      'globex max (ms)',
      'acme drain (/s)',
      'acme drain (s)',
      'service CPU per invoice (ms)',
      'service peak RSS (MiB)',
      'load average after',
    ],
    [...results].map(([name, r]) => [
      name,
      r.quiet.length,
      quantile(r.quiet, 0.5),
      quantile(r.quiet, 0.99),
      r.quiet.at(-1) ?? '',
      r.floodRate > 0 ? r.floodRate.toFixed(0) : '–',
      r.floodSeconds > 0 ? r.floodSeconds.toFixed(1) : '–',
      r.floodSeconds > 0 ? r.serviceCpuMsPerInvoice.toFixed(2) : '–',
      r.servicePeakRssMiB.toFixed(0),
      r.load.replace('load average ', ''),
    ]),
  );
  for (const [name, r] of results) {
    if (r.timeline.length === 0 || r.floodSeconds === 0) continue;
    const list = r.timeline
      .slice(0, 5)
      .map((s) => `${s.ms} ms at ${s.publishedAt.toFixed(2)} s`)
      .join(', ');
    console.log(`\n${name}: globex's slowest, with when each was published from acme's first push: ${list}`);
  }
  for (const [name, r] of results) {
    if (!r.traceFile) continue;
    const keys = r.timeline.slice(0, 8).map((t) => t.key);
    const since = Number.isNaN(r.floodStartAt) ? "globex's first invoice" : "acme's first push";
    console.log(`\n${name}: where globex's slowest waited (ms between stages; published at: from ${since}):`);
    const trace = readTrace(r.traceFile);
    for (const line of traceLines(trace, keys, r.floodStartAt)) console.log(`- ${line}`);
    console.log(`\n${name}: the service's event loop busy each second (%): ${trace.busy.join(' ')}`);
  }
  const p99 = (name: string) => quantile(results.get(name)?.quiet ?? [], 0.99);
  for (const [name, r] of results) {
    if (r.floodSeconds === 0) continue;
    const during = (from: number) =>
      r.timeline
        .filter((t) => t.publishedAt >= from && t.publishedAt <= r.floodSeconds)
        .map((t) => t.ms)
        .sort((a, b) => a - b);
    const noFlood = p99(name.replace('flood', 'no flood'));
    const share = (ms: number[]) =>
      `${ms.length} invoices, p99 ${quantile(ms, 0.99)} ms (${(quantile(ms, 0.99) / noFlood).toFixed(2)} × no flood)`;
    console.log(
      `\n${name}: globex published while acme was pushed (from its first push to its last): ${share(during(0))}; from ${SETTLED_S} s after its first push: ${share(during(SETTLED_S))}`,
    );
    // Where the p99 is decided: how many are over the target, and when they were published.
    const over = r.timeline.filter((t) => t.ms > 2 * noFlood);
    const early = over.filter((t) => t.publishedAt < SETTLED_S).length;
    const allowed = r.timeline.length - 1 - Math.floor(0.99 * r.timeline.length);
    console.log(
      `\n${name}: globex over 2 × its no-flood p99 (${2 * noFlood} ms): ${early} published before ${SETTLED_S} s into the flood, ${over.length - early} after; a p99 within the target allows ${allowed} of its ${r.timeline.length}`,
    );
  }
  const rate = (name: string) => results.get(name)?.floodRate ?? Number.NaN;
  console.log(
    `\nglobex p99 under the flood ÷ with none: fair ${(p99('flood, fair') / p99('no flood, fair')).toFixed(2)} (target ≤ 2), offset order ${(p99('flood, offset order') / p99('no flood, offset order')).toFixed(2)}; acme's drain rate fair ÷ offset order: ${((rate('flood, fair') / rate('flood, offset order')) * 100).toFixed(0)} % (target ≥ 90 %)`,
  );
  await stack.stop();
}

if (import.meta.main) runBench('bench:tenant-flood', main);
