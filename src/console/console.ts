import type { FastifyPluginAsync } from 'fastify';
import { AuditRuns } from '../audit/audit-runs.ts';
import type { Config } from '../config/config.ts';
import { createKafka } from '../platform/kafka/kafka-client.ts';
import type { TenantControl } from '../push/tenant-control.ts';
import type { Infrastructure } from '../service/infrastructure.ts';
import { ConsoleAuth } from './console-auth.ts';
import { consolePlugin } from './console-routes.ts';
import { deadLetterDesk } from './dead-letter-desk.ts';
import { invoiceHistory } from './invoice-history.ts';
import { LagHistory } from './lag-history.ts';
import { LagSampler, type LagTarget } from './lag-sampler.ts';
import type { ServiceStatus } from './overview-view.ts';
import { replayRunner } from './replay-adapter.ts';
import { ReplayJobs } from './replay-jobs.ts';
import { secretScrubber } from './secret-scrub.ts';

export interface ConsoleOptions {
  infra: Infrastructure;
  /** OPS_CONSOLE_TOKEN: the console exists only with one. */
  token: string;
  status(): Promise<ServiceStatus>;
  tenants: TenantControl;
  /** The consumer groups whose lag the overview charts. */
  groups: LagTarget[];
}

export interface OpsConsole {
  /** The console's routes, registered on the ops server. */
  plugin: FastifyPluginAsync;
  close(): Promise<void>;
}

const LAG_POINTS = 60; // samples per sparkline: five minutes at the default 5 s
const LAG_REQUEST_TIMEOUT_MS = 1_500; // a silent broker costs one skipped sample, not a pile of them

/** Wires the console's pages to the service's parts; `close()` stops its lag sampling. */
export function createConsole(options: ConsoleOptions): OpsConsole {
  const { infra } = options;
  const { config } = infra;
  const lag = new LagHistory(LAG_POINTS);
  const admin = createKafka(config.kafka, infra.log, {
    retry: { retries: 0 },
    requestTimeoutMs: LAG_REQUEST_TIMEOUT_MS,
    component: 'console-lag',
  }).admin();
  const sampler = new LagSampler({
    admin,
    history: lag,
    targets: options.groups,
    intervalMs: config.console.lagSampleMs,
  });
  sampler.start();
  const replay = new ReplayJobs(replayRunner(infra));
  const auditRuns = new AuditRuns(infra.database.orm);
  const plugin = consolePlugin({
    status: options.status,
    inFlight: async () => byConsumer((await infra.metrics.inFlight.get()).values),
    outcomes: async () => byConsumerAndOutcome((await infra.metrics.events.get()).values),
    lag,
    lagIntervalMs: config.console.lagSampleMs,
    pushes: infra.recentPushes,
    pushCapacity: config.console.recentPushes,
    deadLetters: deadLetterDesk(infra),
    invoiceHistory: (key) => invoiceHistory(infra, infra.recentPushes, key),
    replay,
    tenants: options.tenants,
    lastAudit: () => auditRuns.last(),
    replayTopic: config.topics.linesIngested,
    topics: { pushed: config.topics.pushedToFinance, deadLetter: config.topics.deadLetter },
    auth: new ConsoleAuth({ token: options.token, publicOrigin: config.console.publicOrigin }),
    limits: {
      readConcurrency: config.console.reads.concurrency,
      signInsPerMinute: config.console.signInsPerMinute,
    },
    audit: infra.log.child({ component: 'ops-console' }),
    scrub: secretScrubber([
      config.console.token,
      config.finance.secret && new TextDecoder().decode(config.finance.secret),
    ]),
    now: Date.now,
  });
  return {
    plugin,
    close: async () => {
      // A replay running at shutdown stops like the CLI's on SIGINT: in-flight pushes finish first.
      replay.stop('service shutdown');
      await replay.settled();
      await sampler.stop();
    },
  };
}

/** The groups of the roles this process runs, whether or not they consume (the pusher may wait for finance). */
export function lagTargets(config: Config, roles: { pusher: boolean; recorder: boolean }): LagTarget[] {
  return [
    ...(roles.pusher
      ? [{ name: 'pusher', groupId: config.pusher.groupId, topic: config.topics.linesIngested }]
      : []),
    ...(roles.recorder
      ? [{ name: 'recorder', groupId: config.recorder.groupId, topic: config.topics.pushedToFinance }]
      : []),
  ];
}

type Sample = { labels: Partial<Record<string, string | number>>; value: number };

function byConsumer(values: Sample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { labels, value } of values) out[String(labels.consumer)] = value;
  return out;
}

function byConsumerAndOutcome(values: Sample[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const { labels, value } of values) {
    const consumer = String(labels.consumer);
    out[consumer] = { ...out[consumer], [String(labels.outcome)]: value };
  }
  return out;
}
