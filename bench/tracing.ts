// What tracing costs: the pusher drains the same backlog with tracing off (no OTEL_* variable: the SDK
// is not loaded) and on (exporting every span over OTLP/HTTP to a receiver in its own process, as a
// collector would be), alternating, at finance 0 ms where the service's own CPU shows most.
//   npm run bench:tracing   (BENCH_EVENTS=5000, BENCH_PARTITIONS=8, BENCH_ROUNDS=3, PUSHER_MAX_IN_FLIGHT=16)

import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { benchId, benchKafka } from './bench-kit.ts';
import { BenchError, header, loadLine, median, runBench, table } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';
import { spawnChild } from './children.ts';
import { type DrainResult, measuredDrain } from './drain.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = Number(process.env.PUSHER_MAX_IN_FLIGHT ?? 16);
/** The pusher's spans of one invoice: process, decode, normalize, skip check, finance import, POST, send, commit. */
const SPANS_PER_INVOICE = 8;

interface ReceiverProcess {
  url: string;
  stats(): Promise<{ spans: number; requests: number; byName: Record<string, number> }>;
  stop(): void;
}

async function startReceiver(): Promise<ReceiverProcess> {
  const script = fileURLToPath(new URL('../tools/otlp-receiver/main.ts', import.meta.url));
  const child = spawnChild(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [first] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const { url } = JSON.parse(first.toString().split('\n')[0] ?? '{}') as { url?: string };
  if (!url) throw new BenchError(`the OTLP receiver did not start: ${first}`);
  return {
    url,
    stats: async () =>
      (await (await fetch(`${url}/stats`)).json()) as Awaited<ReturnType<ReceiverProcess['stats']>>,
    stop: () => void child.kill('SIGTERM'),
  };
}

export async function main(): Promise<void> {
  const stack = await benchStack();
  const kafka = benchKafka(stack.endpoints);
  const off: DrainResult[] = [];
  const on: DrainResult[] = [];
  const exported: number[] = [];
  const loads: string[] = [];
  const drain = { events: EVENTS, partitions: PARTITIONS, financeLatencyMs: 0, inFlight: IN_FLIGHT };
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(loadLine());
    off.push(await measuredDrain(stack.endpoints, kafka, { ...drain, id: benchId() }));
    const receiver = await startReceiver();
    try {
      const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
      on.push(await measuredDrain(stack.endpoints, kafka, { ...drain, id: benchId(), env }));
      // The service stopped, so every span it kept has been sent (the publisher's start-up has none).
      const stats = await receiver.stats();
      exported.push(stats.spans);
      if (process.env.BENCH_VERBOSE) console.error(stats.byName);
    } finally {
      receiver.stop();
    }
  }
  report(off, on, exported, loads);
  await stack.stop();
}

function report(off: DrainResult[], on: DrainResult[], exported: number[], loads: string[]) {
  header('Tracing on and off', 'npm run bench:tracing');
  console.log(
    `${EVENTS} 33-line invoices, ${PARTITIONS} partitions, finance at 0 ms, PUSHER_MAX_IN_FLIGHT=${IN_FLIGHT}, median of ${ROUNDS} rounds (off and on alternating); CPU: the pusher's process from its start to the last announcement, per invoice; ${loads.join('; ')}\n`,
  );
  const rate = (runs: DrainResult[]) => median(runs.map((run) => run.perSecond));
  const cpu = (runs: DrainResult[]) => median(runs.map((run) => run.cpuMsPerEvent));
  const rounds = (runs: DrainResult[]) =>
    runs.map((run) => `${run.perSecond.toFixed(0)}/s ${run.cpuMsPerEvent.toFixed(2)} ms`).join(', ');
  const expected = EVENTS * SPANS_PER_INVOICE;
  table(
    [
      'tracing',
      'events/s',
      'CPU per invoice',
      'rounds',
      'events/s, CPU: share of off',
      'spans received (8 per invoice)',
    ],
    [
      [
        'off (no OTEL_* variable: SDK not loaded)',
        rate(off).toFixed(0),
        `${cpu(off).toFixed(2)} ms`,
        rounds(off),
        '100 %, 100 %',
        '',
      ],
      [
        'on: every span exported over OTLP/HTTP (JSON) to a receiver process',
        rate(on).toFixed(0),
        `${cpu(on).toFixed(2)} ms`,
        rounds(on),
        `${((rate(on) / rate(off)) * 100).toFixed(0)} %, ${((cpu(on) / cpu(off)) * 100).toFixed(0)} %`,
        exported.map((n) => `${n} (${((n / expected) * 100).toFixed(0)} %)`).join(', '),
      ],
    ],
  );
}

if (import.meta.main) runBench('bench:tracing', main);
