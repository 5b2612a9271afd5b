// Replay throughput: the concurrent replay against a one-at-a-time replay (--max-in-flight 1, what
// `replay` did before it ran through the pusher's engine), with finance answering in 20 ms.
//   npm run bench:replay   (BENCH_REPLAY_EVENTS=10000, BENCH_REPLAY_SEQUENTIAL_EVENTS=1000,
//                           BENCH_REPLAY_IN_FLIGHT=16, BENCH_FINANCE_LATENCY_MS=20)
// The ceiling with latency is in-flight ÷ latency (16 ÷ 20 ms = 800 invoices/s); the target is 80 % of it.
import { randomBytes } from 'node:crypto';
import type { Config } from '../src/config/config.ts';
import { replayCommand } from '../src/replay/replay.ts';
import { openInfrastructure } from '../src/service/infrastructure.ts';
import {
  benchConfig,
  benchId,
  benchLogger,
  cleanUp,
  type Endpoints,
  publishBacklog,
  startFinance,
} from './bench-kit.ts';
import { BenchError, header, loadLine, runBench, table } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';

const EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 10_000);
const SEQUENTIAL_EVENTS = Number(process.env.BENCH_REPLAY_SEQUENTIAL_EVENTS ?? 1_000);
const IN_FLIGHT = Number(process.env.BENCH_REPLAY_IN_FLIGHT ?? 16);
const LATENCY_MS = Number(process.env.BENCH_FINANCE_LATENCY_MS ?? 20);

/** Replays a backlog of `events` invoices with at most `inFlight` pushes; invoices per second. */
async function timedReplay(endpoints: Endpoints, events: number, inFlight: number): Promise<number> {
  const id = benchId();
  const secret = randomBytes(32).toString('hex');
  const finance = await startFinance(secret, LATENCY_MS);
  const config: Config = benchConfig(
    endpoints,
    id,
    { url: finance.url, secret },
    {
      PUSHER_MAX_IN_FLIGHT: String(Math.max(inFlight, 1)),
      FINANCE_CONNECTIONS: String(Math.max(inFlight, 1)),
    },
  );
  try {
    await publishBacklog(config, id, events);
    const infra = await openInfrastructure(config, benchLogger);
    try {
      const quiet = { out: () => undefined, err: () => undefined };
      const started = performance.now();
      const summary = await replayCommand(infra, { dryRun: false, maxInFlight: inFlight }, quiet);
      const seconds = (performance.now() - started) / 1000;
      if (summary.pushed !== events) throw new BenchError(`replay pushed ${summary.pushed} of ${events}`);
      return events / seconds;
    } finally {
      await infra.close();
    }
  } finally {
    finance.stop();
    await cleanUp(endpoints, config);
  }
}

export async function main(): Promise<void> {
  const stack = await benchStack();
  const load = loadLine();
  const sequential = await timedReplay(stack.endpoints, SEQUENTIAL_EVENTS, 1);
  const concurrent = await timedReplay(stack.endpoints, EVENTS, IN_FLIGHT);
  const ceiling = IN_FLIGHT / (LATENCY_MS / 1000);
  header('Replay', 'npm run bench:replay');
  console.log(
    `finance latency: ${LATENCY_MS} ms; ceiling in-flight ÷ latency: ${ceiling.toFixed(0)} invoices/s; ${load}\n`,
  );
  table(
    ['replay', 'invoices', 'invoices/s', 'share of ceiling', 'ratio to one at a time'],
    [
      ['one at a time (--max-in-flight 1)', SEQUENTIAL_EVENTS, sequential.toFixed(0), '', '1.0'],
      [
        `concurrent (--max-in-flight ${IN_FLIGHT})`,
        EVENTS,
        concurrent.toFixed(0),
        `${((concurrent / ceiling) * 100).toFixed(0)} %`,
        (concurrent / sequential).toFixed(1),
      ],
    ],
  );
  await stack.stop();
}

if (import.meta.main) runBench('bench:replay', main);
