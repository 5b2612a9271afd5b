// The latency measurement shared by bench/latency.ts and bench/big-invoice.ts: finance, the service
// and the publisher each in their own process, latency read from the records' timestamps.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import { loadConfig } from '../src/config/config.ts';
import {
  benchEnv,
  benchId,
  cleanUp,
  type Endpoints,
  publishBacklog,
  startFinance,
  waitUntil,
} from './bench-kit.ts';
import { BenchError, loadLine } from './bench-report.ts';
import { spawnChild } from './children.ts';
import { cpuUsage } from './cpu-usage.ts';
import { exited, freePort, latencies, publish, timestamps } from './latency-kit.ts';

const CLI = fileURLToPath(new URL('../bin/invoice-finance-sync.ts', import.meta.url));

export interface LatencyPlan {
  rate: number;
  count: number;
  financeLatencyMs: number;
  /** Lines per invoice (33 unless told). */
  lines?: number;
  /**
   * Invoices published and pushed first, at the same rate, and left out of the figures: the first
   * ones pay for the finance token, connections and compilation, which a running service has done.
   */
  warmup?: number;
}

/**
 * Starts finance and the service (`start --only pusher`) as processes on fresh topics and database,
 * publishes `count` invoices at `rate` from a third process, and returns the latencies (ms, sorted)
 * from each input record's timestamp to its pushed event's, the adaptive limit seen meanwhile, and the
 * CPU the service and finance used per invoice while the machine was that busy (all processes).
 */
export async function measureLatency(endpoints: Endpoints, kafka: Kafka, plan: LatencyPlan) {
  const id = benchId();
  const secret = randomBytes(32).toString('hex');
  const finance = await startFinance(secret, plan.financeLatencyMs);
  const opsPort = await freePort();
  const env = benchEnv(
    endpoints,
    id,
    { url: finance.url, secret },
    { HTTP_PORT: String(opsPort), LOG_LEVEL: 'warn' },
  );
  const config = loadConfig(env);
  const load = loadLine();
  let service: ChildProcess | undefined;
  try {
    const schemaId = await publishBacklog(config, id, 0);
    service = spawnChild(process.execPath, [CLI, 'start', '--only', 'pusher'], {
      // BENCH_SERVICE_NODE_OPTIONS: e.g. --cpu-prof --cpu-prof-dir=<dir>, a profile of the service alone.
      env: { ...process.env, ...env, NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS ?? '' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const seen = await timestamps(kafka, [config.topics.linesIngested, config.topics.pushedToFinance]);
    try {
      await pollReady(opsPort);
      const { rate, count, lines, warmup = 0 } = plan;
      const topic = config.topics.linesIngested;
      const pushed = () => seen.of(config.topics.pushedToFinance).size;
      if (warmup > 0) {
        await publish(endpoints, { topic, schemaId, rate, count: warmup, lines, prefix: `WARM-${id}` });
        await waitUntil('the warm-up invoices pushed', () => pushed() >= warmup);
      }
      const limits = sampleLimit(opsPort);
      const cpu = cpuUsage({ service: service.pid, finance: finance.child.pid });
      const prefix = `LAT-${id}`;
      await publish(endpoints, { topic, schemaId, rate, count, lines, prefix });
      await waitUntil('every invoice pushed', () => pushed() >= warmup + count);
      const sorted = latencies(seen.of(topic), seen.of(config.topics.pushedToFinance), (key) =>
        key.includes(`${prefix}-`),
      );
      const used = cpu.stop();
      const perInvoiceMs = (name: string) => (((used.seconds[name] ?? 0) * 1000) / count).toFixed(2);
      return {
        sorted,
        limit: limits.stop(),
        load,
        /** CPU ms per invoice of the service and of finance, and how busy the machine's cores were. */
        cpu: {
          serviceMs: perInvoiceMs('service'),
          financeMs: perInvoiceMs('finance'),
          machineBusy: used.machineBusy,
        },
      };
    } finally {
      await seen.close();
    }
  } finally {
    if (service) {
      service.kill('SIGTERM');
      await exited(service);
    }
    finance.stop();
    await cleanUp(endpoints, config);
  }
}

/** The service's adaptive finance limit, read from /metrics every second (a scrape costs the service CPU): "min–max". */
function sampleLimit(port: number) {
  const seen: number[] = [];
  const timer = setInterval(async () => {
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('invoice_sync_finance_concurrency_limit '));
      if (line) seen.push(Number(line.split(' ')[1]));
    } catch {
      // the service is busy or stopping: the next sample will do
    }
  }, 1_000);
  return {
    stop: () => {
      clearInterval(timer);
      return seen.length === 0 ? '?' : `${Math.min(...seen)}–${Math.max(...seen)}`;
    },
  };
}

export async function pollReady(port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new BenchError('the service (invoice-finance-sync start --only pusher) was not ready within 60 s');
}
