import { AuditRuns, auditSample } from '../audit/audit-runs.ts';
import type { Config } from '../config/config.ts';
import { createConsole, lagTargets, type OpsConsole } from '../console/console.ts';
import type { ServiceStatus } from '../console/overview-view.ts';
import { ConsumerRuntime } from '../consuming/consumer-runtime.ts';
import { FairPermits } from '../consuming/fair-permits.ts';
import { KeyLanes, Semaphore } from '../consuming/key-lanes.ts';
import { type OpsServer, type Readiness, startOpsServer } from '../ops/http-server.ts';
import type { Logger } from '../ops/logger.ts';
import { memoryBudget } from '../ops/memory-budget.ts';
import { startTracing } from '../ops/tracing.ts';
import { createFinanceClient } from '../platform/finance/create-finance-client.ts';
import type { FinanceClient } from '../platform/finance/finance-client.ts';
import type { ProbeResult } from '../platform/kafka/kafka-probe.ts';
import { createPusher } from '../push/create-pusher.ts';
import { linesIngestedHandler } from '../push/lines-ingested-consumer.ts';
import { observingDeadLetters } from '../push/push-observer.ts';
import { tenantOfKey } from '../push/tenant-of-key.ts';
import { pushedToFinanceHandler } from '../record/pushed-to-finance-consumer.ts';
import { type Infrastructure, openInfrastructure } from './infrastructure.ts';

export interface ServiceRoles {
  pusher: boolean;
  recorder: boolean;
}

export interface ServiceOptions {
  config: Config;
  roles: ServiceRoles;
  logger?: Logger;
  /** Serve /healthz, /readyz, /metrics (default true). */
  opsServer?: boolean;
}

export interface Service {
  infra: Infrastructure;
  ops: OpsServer | undefined;
  readiness(): Promise<Readiness>;
  stop(): Promise<void>;
}

/** The composition root: wires adapters, consumers and the ops server for the chosen roles. */
export async function startService(options: ServiceOptions): Promise<Service> {
  const { config } = options;
  const infra = await openInfrastructure(config, options.logger);
  const { log } = infra;
  const auditRuns = new AuditRuns(infra.database.orm);
  infra.metrics.readAuditFrom(async () => {
    const last = await auditRuns.last();
    return last && auditSample(last);
  });
  // Before the consumers are made: they wrap their handlers and commits in spans only when it is on.
  const tracing = await startTracing(config.tracing, log);
  const finance = options.roles.pusher ? createFinanceClient(infra) : undefined;
  const runtimes = consumerRuntimes(infra, options.roles, finance);
  const readiness = () => checkReadiness(infra, options.roles, runtimes);
  const opsConsole = options.opsServer === false ? undefined : openConsole(infra, options.roles, readiness);
  // Up before the consumers join: a join waits for a crashed member's session to expire, and all that
  // time /healthz must answer (a liveness probe would restart the process) and /readyz say why not yet.
  const ops =
    options.opsServer === false
      ? undefined
      : await startOpsServer({
          ...config.http,
          registry: infra.metrics.registry,
          readiness,
          log: log.child({ component: 'ops-server' }),
          console: opsConsole?.plugin,
        });
  if (ops) log.info({ ops_url: ops.url }, 'ops server listening');
  try {
    for (const runtime of runtimes) await runtime.start();
  } catch (error) {
    await opsConsole?.close();
    await ops?.close();
    await tracing.shutdown();
    throw error;
  }
  log.info({ roles: options.roles, ops_url: ops?.url, ...memoryBudget() }, 'service started');

  return {
    infra,
    ops,
    readiness,
    stop: async () => {
      for (const runtime of runtimes) await runtime.stop();
      await finance?.close();
      await opsConsole?.close();
      await ops?.close();
      await infra.close();
      // Last: the spans of the final commits are exported before the process ends.
      await tracing.shutdown();
      log.info('service stopped');
    },
  };
}

/** The consumers of the chosen roles; the pusher only where finance is configured. */
function consumerRuntimes(
  infra: Infrastructure,
  roles: ServiceRoles,
  finance: FinanceClient | undefined,
): ConsumerRuntime[] {
  const runtimes: ConsumerRuntime[] = [];
  if (roles.pusher && finance) runtimes.push(pusherRuntime(infra, finance));
  else if (roles.pusher) {
    // Not joining the group keeps its offsets where they are: nothing published meanwhile is lost.
    const reason = infra.config.finance.disabledReason;
    infra.log.warn({ reason }, 'pusher not started: finance is not configured');
  }
  if (roles.recorder) runtimes.push(recorderRuntime(infra));
  return runtimes;
}

/** What both consumers share: the group settings, the pauses, and the checks that end a pause early. */
function runtimeBase(infra: Infrastructure) {
  const { config } = infra;
  return {
    kafka: infra.kafka,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
    rebalanceTimeoutMs: config.kafka.rebalanceTimeoutMs,
    fetch: config.kafka.fetch,
    pauseOnTransientMs: config.pusher.pauseOnTransientMs,
    systemicBackoffMs: config.systemicBackoffMs,
    // The same checks as /readyz: a consumer paused for one of these resumes once it answers again.
    recoveryChecks: {
      DATABASE_UNAVAILABLE: () => infra.database.ping(),
      REGISTRY_UNAVAILABLE: () => infra.codec.ping(),
    },
    log: infra.log,
    metrics: infra.metrics,
  };
}

function pusherRuntime(infra: Infrastructure, finance: FinanceClient): ConsumerRuntime {
  const { config } = infra;
  return new ConsumerRuntime({
    ...runtimeBase(infra),
    name: 'pusher',
    groupId: config.pusher.groupId,
    topic: config.topics.linesIngested,
    partitionsConcurrently: config.pusher.maxInFlight,
    // Fair: a read-ahead deep enough to see past one tenant's flood. Else twice the lanes' permits:
    // the next records are fetched while these run, no further.
    maxOpenRecords: config.pusher.fair?.readAheadRecords ?? config.pusher.maxInFlight * 4,
    maxOpenBytes: config.pusher.fair?.readAheadBytes,
    maxAttempts: config.pusher.maxAttempts,
    lanes: pusherLanes(config),
    handler: observingDeadLetters(
      linesIngestedHandler({
        codec: infra.codec,
        contracts: infra.contracts,
        pusher: createPusher(infra, finance),
        sender: infra.sender,
        deadLetterTopic: config.topics.deadLetter,
        maxEventBytes: config.events.maxBytes,
      }),
      'pusher',
      infra.recentPushes,
    ),
  });
}

/**
 * Finance calls are bounded by the finance client's adaptive limit (at most PUSHER_MAX_IN_FLIGHT);
 * twice as many events in progress let decoding and announcing overlap those calls instead of
 * holding their slots. With fair scheduling those slots go to the keys' tenants in turn.
 */
function pusherLanes(config: Config): KeyLanes {
  const permits = config.pusher.maxInFlight * 2;
  const { fair } = config.pusher;
  if (!fair) return new KeyLanes(new Semaphore(permits));
  return new KeyLanes(new FairPermits(permits, (tenant) => fair.weights[tenant] ?? 1), tenantOfKey);
}

function recorderRuntime(infra: Infrastructure): ConsumerRuntime {
  const { config } = infra;
  return new ConsumerRuntime({
    ...runtimeBase(infra),
    name: 'recorder',
    groupId: config.recorder.groupId,
    topic: config.topics.pushedToFinance,
    partitionsConcurrently: config.recorder.maxInFlight,
    maxOpenRecords: config.recorder.maxInFlight * 2,
    maxAttempts: config.recorder.maxAttempts,
    lanes: new KeyLanes(new Semaphore(config.recorder.maxInFlight)),
    handler: observingDeadLetters(
      pushedToFinanceHandler({
        codec: infra.codec,
        contracts: infra.contracts,
        recorder: infra.database.repository,
        sender: infra.sender,
        deadLetterTopic: config.topics.recorderDeadLetter,
        metrics: infra.metrics,
        maxEventBytes: config.events.maxBytes,
      }),
      'recorder',
      infra.recentPushes,
    ),
  });
}

/** The operations console when it is on (OPS_CONSOLE and a token); else one line saying how to turn it on. */
function openConsole(
  infra: Infrastructure,
  roles: ServiceRoles,
  status: () => Promise<ServiceStatus>,
): OpsConsole | undefined {
  const { config } = infra;
  if (!config.console.enabled) return undefined;
  const token = config.console.token;
  if (token === undefined) {
    infra.log.info(
      { console: 'off' },
      'ops console off: set OPS_CONSOLE_TOKEN (16+ characters) or OPS_CONSOLE_TOKEN_FILE to turn it on',
    );
    return undefined;
  }
  return createConsole({ infra, token, status, groups: lagTargets(config, roles) });
}

async function checkReadiness(infra: Infrastructure, roles: ServiceRoles, runtimes: ConsumerRuntime[]) {
  const [database, registry, kafka] = await Promise.all([
    probe(() => infra.database.ping()),
    probe(() => infra.codec.ping()),
    infra.kafkaProbe.check(),
  ]);
  const consumers = runtimes.map((runtime) => runtime.status());
  const financeEnabled = infra.config.finance.secret !== undefined;
  const ready =
    database.ok &&
    registry.ok &&
    kafka.ok &&
    consumers.every((c) => c.joined && c.systemicFailure === undefined) &&
    consumers.length > 0;
  return {
    ready,
    consumers,
    finance: roles.pusher
      ? { enabled: financeEnabled, reason: infra.config.finance.disabledReason ?? 'configured' }
      : { enabled: false, reason: 'pusher role not started in this process' },
    database,
    registry,
    kafka,
  };
}

async function probe(check: () => Promise<void>): Promise<ProbeResult> {
  try {
    await check();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
