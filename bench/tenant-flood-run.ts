// One run of the tenant-flood benchmark: tenant acme's backlog published first (or, with floodAt
// `running`, all at once while the service runs), the service (`start --only pusher`, its own process)
// running while tenant globex publishes a few invoices a second into the same partitions until acme's
// invoices are drained. Latency and drain rate are read from the
// records' timestamps, as bench/latency-run.ts does.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import { loadConfig } from '../src/config/config.ts';
import { type Service, startService } from '../src/service/service.ts';
import {
  benchEnv,
  benchId,
  benchLogger,
  cleanUp,
  type Endpoints,
  encodeInvoices,
  sendInvoices,
  startFinance,
  waitUntil,
} from './bench-kit.ts';
import { serviceStdout, spawnChild } from './children.ts';
import { cpuUsage } from './cpu-usage.ts';
import { exited, freePort, latencies, timestamps } from './latency-kit.ts';
import { pollReady } from './latency-run.ts';
import { peakRss } from './proc-status.ts';

const CLI = fileURLToPath(new URL('../bin/invoice-finance-sync.ts', import.meta.url));
const TRACE_HOOK = fileURLToPath(new URL('./service-trace.ts', import.meta.url));

export interface FloodPlan {
  /** Invoices of acme (0: no flood). */
  flood: number;
  /** `start`: acme's invoices are a backlog published before the service starts; `running`: published
   * all at once FLOOD_AFTER_MS after globex began, while the service runs. */
  floodAt: 'start' | 'running';
  /** Invoices of globex per second while the service runs. */
  quietRate: number;
  /** globex publishes at least this long, and on until the flood is drained (s). */
  quietSeconds: number;
  financeLatencyMs: number;
  maxInFlight: number;
  fair: boolean;
}

export interface FloodResult {
  quiet: number[];
  /** acme's invoices pushed per second, from its first pushed event to its last. */
  floodRate: number;
  floodSeconds: number;
  /** Every one of globex's invoices, slowest first: latency (ms) and when it was published, in s from acme's
   * first push (NaN with no flood). */
  timeline: { key: string; ms: number; publishedAt: number }[];
  /** Acme's first push (ms since the epoch; NaN with no flood). */
  floodStartAt: number;
  /** With BENCH_TRACE: where the service's trace was written (bench/service-trace.ts). */
  traceFile: string | undefined;
  /** The service's CPU time (user and system) per invoice it pushed, from ready to the last push (ms). */
  serviceCpuMsPerInvoice: number;
  /** The service's peak resident memory (VmHWM), MiB. */
  servicePeakRssMiB: number;
  /** CPU seconds of the service, the finance server and this process over the same span. */
  cpuSeconds: Record<string, number>;
  /** The machine's busy share over the same span (all cores). */
  machineBusy: number;
}

const FLOOD_AFTER_MS = 5_000;
const FLOOD_TENANT = 'acme';
const QUIET_TENANT = 'globex';

export async function measureFlood(
  endpoints: Endpoints,
  kafka: Kafka,
  plan: FloodPlan,
): Promise<FloodResult> {
  const id = benchId();
  const secret = randomBytes(32).toString('hex');
  const finance = await startFinance(secret, plan.financeLatencyMs);
  const opsPort = await freePort();
  const env = benchEnv(
    endpoints,
    id,
    { url: finance.url, secret },
    {
      HTTP_PORT: String(opsPort),
      LOG_LEVEL: 'warn',
      // Finance lets an identity write only for its own tenant: each event's tenant signs its push.
      FINANCE_IDENTITY: 'event-tenant',
      PUSHER_MAX_IN_FLIGHT: String(plan.maxInFlight),
      PUSHER_FAIR_SCHEDULING: String(plan.fair),
      // The default read-ahead (5,000 records, 8 MiB): the flood beyond it is parked in Kafka.
      // BENCH_READ_AHEAD=20000 compares a read-ahead the whole flood fits in.
      ...(process.env.BENCH_READ_AHEAD
        ? {
            PUSHER_READ_AHEAD_RECORDS: process.env.BENCH_READ_AHEAD,
            PUSHER_READ_AHEAD_BYTES: String(32 * 2 ** 20),
          }
        : {}),
    },
  );
  const config = loadConfig(env);
  const publisherOptions = {
    config,
    roles: { pusher: false, recorder: false },
    logger: benchLogger,
    opsServer: false,
  };
  // Each tenant publishes through its own producer (its own connection to the broker), as two tenants'
  // ingests would: globex's records never queue behind acme's produce requests on one connection.
  const publisher = await startService(publisherOptions);
  const quietPublisher = await startService(publisherOptions);
  let service: ChildProcess | undefined;
  // BENCH_TRACE=1: bench/service-trace.ts in the service, its stamps of globex's invoices read afterwards.
  const traceFile = process.env.BENCH_TRACE ? join(tmpdir(), `tenant-flood-trace-${id}.json`) : undefined;
  const traceEnv = traceFile ? { BENCH_TRACE_FILE: traceFile, BENCH_TRACE_PREFIX: `${QUIET_TENANT}:` } : {};
  const nodeOptions = [
    process.env.BENCH_SERVICE_NODE_OPTIONS ?? '',
    traceFile ? `--import=${TRACE_HOOK}` : '',
  ]
    .join(' ')
    .trim();
  try {
    // Encoded before the service starts, so sending the flood while it runs costs the machine only the sending.
    const invoices = { tenantId: FLOOD_TENANT, prefix: `FLOOD-${id}`, from: 0, to: plan.flood };
    const flood = await encodeInvoices(publisher.infra, invoices);
    if (plan.floodAt === 'start') await sendInvoices(publisher.infra, flood);
    // BENCH_SERVICE_CPUS: the service on these CPUs (taskset -c), e.g. a core of its own.
    const pin = process.env.BENCH_SERVICE_CPUS;
    const command = pin ? ['taskset', '-c', pin, process.execPath] : [process.execPath];
    service = spawnChild(command[0] as string, [...command.slice(1), CLI, 'start', '--only', 'pusher'], {
      // BENCH_SERVICE_NODE_OPTIONS: node options of the service alone (e.g. --cpu-prof, or an --import hook).
      env: { ...process.env, ...env, ...traceEnv, NODE_OPTIONS: nodeOptions },
      stdio: ['ignore', serviceStdout(), 'inherit'],
    });
    const seen = await timestamps(kafka, [config.topics.linesIngested, config.topics.pushedToFinance]);
    try {
      await pollReady(opsPort);
      const cpu = cpuUsage({ service: service.pid, finance: finance.child.pid, bench: process.pid });
      const pushed = seen.of(config.topics.pushedToFinance);
      const ofTenant = (tenant: string) => (key: string) => key.startsWith(`${tenant}:`);
      const floodPushed = () => [...pushed.keys()].filter(ofTenant(FLOOD_TENANT)).length;
      const floodWhileRunning =
        plan.floodAt === 'running'
          ? new Promise((resolve) => setTimeout(resolve, FLOOD_AFTER_MS)).then(() =>
              sendInvoices(publisher.infra, flood),
            )
          : Promise.resolve();
      const quietCount = await publishQuiet(quietPublisher, plan, () => floodPushed() >= plan.flood);
      await floodWhileRunning;
      await waitUntil('every invoice pushed', () => pushed.size >= plan.flood + quietCount);
      const used = cpu.stop();
      const peak = peakRss(service.pid as number);
      const floodAt = [...pushed].filter(([key]) => ofTenant(FLOOD_TENANT)(key)).map(([, at]) => at);
      const floodSeconds = floodAt.length > 1 ? (Math.max(...floodAt) - Math.min(...floodAt)) / 1000 : 0;
      const input = seen.of(config.topics.linesIngested);
      const floodStart = floodAt.length > 0 ? Math.min(...floodAt) : Number.NaN;
      const timeline = [...pushed]
        .filter(([key]) => ofTenant(QUIET_TENANT)(key))
        .map(([key, at]) => ({
          key,
          ms: at - (input.get(key) ?? at),
          publishedAt: ((input.get(key) ?? at) - floodStart) / 1000,
        }))
        .sort((a, b) => b.ms - a.ms);
      return {
        traceFile,
        floodStartAt: floodStart,
        timeline,
        quiet: latencies(input, pushed, ofTenant(QUIET_TENANT)),
        floodRate: floodSeconds > 0 ? plan.flood / floodSeconds : 0,
        floodSeconds,
        serviceCpuMsPerInvoice: ((used.seconds.service ?? Number.NaN) * 1000) / (plan.flood + quietCount),
        cpuSeconds: used.seconds,
        servicePeakRssMiB: peak === undefined ? Number.NaN : peak / 2 ** 20,
        machineBusy: used.machineBusy,
      };
    } finally {
      await seen.close();
    }
  } finally {
    if (service) {
      service.kill('SIGTERM');
      await exited(service);
    }
    await quietPublisher.stop();
    await publisher.stop();
    finance.stop();
    await cleanUp(endpoints, config);
  }
}

/** globex's invoices one by one at `quietRate`, for `quietSeconds` and until `drained()`; how many. */
async function publishQuiet(publisher: Service, plan: FloodPlan, drained: () => boolean): Promise<number> {
  const intervalMs = 1_000 / plan.quietRate;
  const least = plan.quietRate * plan.quietSeconds;
  const startedAt = performance.now();
  let sent = 0;
  while (sent < least || !drained()) {
    const wait = startedAt + sent * intervalMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await publishInvoices(publisher, QUIET_TENANT, `QUIET-${sent}`, 1);
    sent++;
  }
  return sent;
}

async function publishInvoices(publisher: Service, tenantId: string, prefix: string, count: number) {
  await sendInvoices(
    publisher.infra,
    await encodeInvoices(publisher.infra, { tenantId, prefix, from: 0, to: count }),
  );
}
