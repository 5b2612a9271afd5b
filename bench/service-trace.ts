// Loaded into `invoice-finance-sync start` with `--import` by bench:tenant-flood when BENCH_TRACE is set
// (diagnosis only): stamps each invoice at every stage of the push (bench/stage-trace.ts), and watches the
// event loop (a 5 ms timer's lateness, each second's utilization) and every garbage collection over 4 ms.
// On SIGTERM it writes what it saw of the keys starting with BENCH_TRACE_PREFIX to BENCH_TRACE_FILE.
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { installStageTrace } from './stage-trace.ts';

export interface ServiceTrace {
  /** When each traced invoice's input record was published (ms since the epoch), by key. */
  published: Record<string, number>;
  stamps: Record<string, Record<string, number>>;
  /** The event loop late by more than 10 ms: when it was last on time, and how late. */
  stalls: { at: number; ms: number }[];
  collections: { at: number; ms: number; kind: string }[];
  /** Each second's event-loop utilization (%). */
  busy: number[];
}

const file = process.env.BENCH_TRACE_FILE;
if (file) install(file, process.env.BENCH_TRACE_PREFIX ?? '');

function install(file: string, prefix: string): void {
  const trace = installStageTrace(process.env.PUSHER_GROUP_ID ?? '');
  const stalls: ServiceTrace['stalls'] = [];
  let last = Date.now();
  setInterval(() => {
    const now = Date.now();
    if (now - last > 15) stalls.push({ at: last, ms: now - last - 5 });
    last = now;
  }, 5).unref();
  const collections: ServiceTrace['collections'] = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration <= 4) continue;
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      const at = Math.round(performance.timeOrigin + entry.startTime);
      collections.push({ at, ms: Math.round(entry.duration), kind: kind === 1 ? 'scavenge' : 'full' });
    }
  }).observe({ entryTypes: ['gc'] });
  const busy: number[] = [];
  let utilization = performance.eventLoopUtilization();
  setInterval(() => {
    const next = performance.eventLoopUtilization();
    busy.push(Math.round(performance.eventLoopUtilization(next, utilization).utilization * 100));
    utilization = next;
  }, 1_000).unref();
  process.once('SIGTERM', () => {
    const traced = <T>(entries: Map<string, T>) =>
      Object.fromEntries([...entries].filter(([key]) => key.startsWith(prefix)));
    const result: ServiceTrace = {
      published: traced(trace.published),
      stamps: traced(trace.stamps) as ServiceTrace['stamps'],
      stalls,
      collections,
      busy,
    };
    writeFileSync(file, JSON.stringify(result));
  });
}
