import type { Config } from '../config/config.ts';
import { tenantValue } from '../config/fair-scheduling.ts';
import { ConsumerRuntime } from '../consuming/consumer-runtime.ts';
import { FairPermits } from '../consuming/fair-permits.ts';
import { KeyLanes, Semaphore } from '../consuming/key-lanes.ts';
import type { FinanceClient } from '../platform/finance/finance-client.ts';
import { createPusher } from '../push/create-pusher.ts';
import { inTenantTurns } from '../push/finance-turns.ts';
import type { FinanceImporter } from '../push/invoice-pusher.ts';
import { linesIngestedHandler } from '../push/lines-ingested-consumer.ts';
import { observers, observingDeadLetters } from '../push/push-observer.ts';
import { TenantControl, type TenantScheduler } from '../push/tenant-control.ts';
import { TenantMetrics } from '../push/tenant-metrics.ts';
import { tenantOfKey } from '../push/tenant-of-key.ts';
import { TenantPauses } from '../push/tenant-pauses.ts';
import { pushedToFinanceHandler } from '../record/pushed-to-finance-consumer.ts';
import type { Infrastructure } from './infrastructure.ts';

const DEFAULT_PAUSE_CHECK_MS = 2_000; // as TENANT_PAUSE_CHECK_MS: a process without fair scheduling only shows pauses

/** The consumers of the chosen roles, and who pauses tenants; the pusher only where finance is configured. */
export function consumerRuntimes(
  infra: Infrastructure,
  roles: { pusher: boolean; recorder: boolean },
  finance: FinanceClient | undefined,
): { runtimes: ConsumerRuntime[]; tenants: TenantControl } {
  const runtimes: ConsumerRuntime[] = [];
  const lanes = roles.pusher && finance ? pusherLanes(infra.config, finance) : undefined;
  const tenants = new TenantControl({
    pauses: new TenantPauses(infra.database.orm),
    ...(lanes?.scheduler ? { scheduler: lanes.scheduler } : {}),
    log: infra.log,
    checkMs: infra.config.pusher.fair?.pauseCheckMs ?? DEFAULT_PAUSE_CHECK_MS,
  });
  if (roles.pusher && finance && lanes) {
    const pusher = pusherRuntime(infra, lanes, tenants);
    if (lanes.scheduler) lanes.scheduler.parked = () => pusher.parkedByGroup();
    runtimes.push(pusher);
  }
  if (roles.pusher && !(finance && lanes)) {
    // Not joining the group keeps its offsets where they are: nothing published meanwhile is lost.
    const reason = infra.config.finance.disabledReason;
    infra.log.warn({ reason }, 'pusher not started: finance is not configured');
  }
  if (roles.recorder) runtimes.push(recorderRuntime(infra));
  return { runtimes, tenants };
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

function pusherRuntime(
  infra: Infrastructure,
  { lanes, finance, scheduler }: { lanes: KeyLanes; finance: FinanceImporter; scheduler?: TenantScheduler },
  tenants: TenantControl,
): ConsumerRuntime {
  const { config } = infra;
  const { fair } = config.pusher;
  // Every outcome to the console's recent pushes and, with fair scheduling, to the per-tenant metrics.
  const observer = fair
    ? observers(
        infra.recentPushes,
        new TenantMetrics(infra.metrics.registry, fair.metricsTop, () => tenants.rows()),
      )
    : infra.recentPushes;
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
    // Fair: a tenant holding its share of the read-ahead (or paused) leaves its next records in Kafka,
    // read again as its own run low, so the read-ahead bounds memory, not how deep a flood others see past.
    ...(scheduler
      ? { parking: { groupOf: tenantOfKey, held: (tenant: string) => scheduler.held(tenant) } }
      : {}),
    maxAttempts: config.pusher.maxAttempts,
    lanes,
    handler: observingDeadLetters(
      linesIngestedHandler({
        codec: infra.codec,
        contracts: infra.contracts,
        pusher: createPusher({ ...infra, recentPushes: observer }, finance),
        sender: infra.sender,
        deadLetterTopic: config.topics.deadLetter,
        maxEventBytes: config.events.maxBytes,
      }),
      'pusher',
      observer,
    ),
  });
}

/**
 * Finance calls are bounded by the finance client's adaptive limit (at most PUSHER_MAX_IN_FLIGHT).
 * Twice as many events in progress let decoding, the skip check and announcing overlap those calls
 * instead of holding their slots. Fair, the events' slots go to the keys' tenants in turn, each within
 * its own cap and rate (TENANT_MAX_IN_FLIGHT, TENANT_MAX_RATE), none to a paused one; and so do the
 * finance calls themselves (`inTenantTurns`, as many turns as the adaptive limit allows now), so no
 * tenant's call waits behind another's in the finance client's first-come queue (BENCHMARKS.md).
 */
function pusherLanes(
  config: Config,
  finance: FinanceClient,
): { lanes: KeyLanes; finance: FinanceImporter; scheduler?: TenantScheduler } {
  const permits = config.pusher.maxInFlight * 2;
  const { fair } = config.pusher;
  if (!fair) return { lanes: new KeyLanes(new Semaphore(permits)), finance };
  const weightOf = (tenant: string) => tenantValue(fair.weights, tenant, 1);
  const fairPermits = new FairPermits(permits, {
    weightOf,
    capOf: (tenant) => tenantValue(fair.maxInFlight, tenant, Number.POSITIVE_INFINITY),
    rateOf: (tenant) => tenantValue(fair.maxRate, tenant, Number.POSITIVE_INFINITY),
  });
  const financeTurns = new FairPermits(finance.concurrencyLimit, { weightOf });
  finance.followLimit((limit) => financeTurns.resize(limit));
  const lanes = new KeyLanes(fairPermits, tenantOfKey);
  const scheduler: TenantScheduler = {
    hold: (tenant) => fairPermits.hold(tenant),
    release: (tenant) => fairPermits.release(tenant),
    held: (tenant) => fairPermits.isHeld(tenant),
    groups: () => fairPermits.groups(),
    pending: () => lanes.pendingByGroup(),
  };
  return { lanes, finance: inTenantTurns(finance, financeTurns), scheduler };
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
