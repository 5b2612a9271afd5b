// The pusher draining a backlog, in this process: what the throughput benchmarks time.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { Config } from '../src/config/config.ts';
import { startService } from '../src/service/service.ts';
import { countRecords } from './baselines.ts';
import {
  benchConfig,
  benchLogger,
  cleanUp,
  type Endpoints,
  publishBacklog,
  startFinance,
  waitUntil,
} from './bench-kit.ts';

export interface Drain {
  id: string;
  events: number;
  partitions: number;
  financeLatencyMs: number;
  /** PUSHER_MAX_IN_FLIGHT (and FINANCE_CONNECTIONS). */
  inFlight: number;
  /** Variables over the drain's own (e.g. OTEL_EXPORTER_OTLP_ENDPOINT). */
  env?: Record<string, string>;
  /** Runs before the backlog is published, on the drain's own configuration (e.g. fills cloud_invoices). */
  prepare?: (config: Config) => Promise<void>;
}

/**
 * Publishes `events` 33-line invoices, then lets the pusher (decode, normalize, skip check, finance
 * push, announce) drain them; events per second between its first and its last announcement.
 */
export async function drainBacklog(endpoints: Endpoints, kafka: Kafka, drain: Drain): Promise<number> {
  return (await measuredDrain(endpoints, kafka, drain)).perSecond;
}

export interface DrainResult {
  /** Events per second between the first and the last announcement. */
  perSecond: number;
  /**
   * CPU time (user + system) this process spent per event from the service's start until the last
   * announcement: the pusher's own cost, which the other processes on the host hardly change.
   */
  cpuMsPerEvent: number;
}

/** `drainBacklog`, with the CPU time the pusher's process spent per event. */
export async function measuredDrain(endpoints: Endpoints, kafka: Kafka, drain: Drain): Promise<DrainResult> {
  const secret = randomBytes(32).toString('hex');
  const finance = await startFinance(secret, drain.financeLatencyMs);
  const config = benchConfig(
    endpoints,
    drain.id,
    { url: finance.url, secret },
    {
      KAFKA_TOPIC_PARTITIONS: String(drain.partitions),
      PUSHER_MAX_IN_FLIGHT: String(drain.inFlight),
      FINANCE_CONNECTIONS: String(drain.inFlight),
      ...drain.env,
    },
  );
  try {
    await drain.prepare?.(config);
    await publishBacklog(config, drain.id, drain.events);
    const out = await countRecords(kafka, config.topics.pushedToFinance, drain.partitions);
    const profiler = await startProfiler();
    const cpuBefore = process.cpuUsage();
    const service = await startService({
      config,
      roles: { pusher: true, recorder: false },
      logger: benchLogger,
      opsServer: false,
    });
    await waitUntil('every invoice announced', () => out.seen() >= drain.events);
    const cpu = process.cpuUsage(cpuBefore);
    await profiler.stop(`pusher-${drain.id}`);
    await service.stop();
    await out.close();
    return { perSecond: out.perSecond(), cpuMsPerEvent: (cpu.user + cpu.system) / 1000 / drain.events };
  } finally {
    finance.stop();
    await cleanUp(endpoints, config);
  }
}

/** BENCH_PROFILE=<dir>: a CPU profile (.cpuprofile, for Chrome DevTools) of each drain only. */
async function startProfiler() {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return { stop: async (_name: string) => {} };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async (name: string) => {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}
