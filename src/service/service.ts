import { AuditRuns, auditSample } from '../audit/audit-runs.ts';
import type { Config } from '../config/config.ts';
import { createConsole, lagTargets, type OpsConsole } from '../console/console.ts';
import type { ServiceStatus } from '../console/overview-view.ts';
import type { ConsumerRuntime } from '../consuming/consumer-runtime.ts';
import { type OpsServer, type Readiness, startOpsServer } from '../ops/http-server.ts';
import type { Logger } from '../ops/logger.ts';
import { memoryBudget } from '../ops/memory-budget.ts';
import { startTracing } from '../ops/tracing.ts';
import { databaseProbe } from '../platform/database/database-probe.ts';
import { createFinanceClient } from '../platform/finance/create-finance-client.ts';
import type { TimedProbe } from '../platform/readiness-probe.ts';
import { registryProbe } from '../platform/registry/registry-probe.ts';
import type { TenantControl } from '../push/tenant-control.ts';
import { consumerRuntimes } from './consumer-runtimes.ts';
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
  const { runtimes, tenants } = consumerRuntimes(infra, options.roles, finance);
  const probes = { database: databaseProbe(infra.database), registry: registryProbe(infra.codec) };
  const readiness = () => checkReadiness(infra, options.roles, runtimes, probes);
  const opsConsole =
    options.opsServer === false ? undefined : openConsole(infra, options.roles, readiness, tenants);
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
    // Before any record is taken: a tenant paused before a restart stays held.
    await tenants.start();
    for (const runtime of runtimes) await runtime.start();
  } catch (error) {
    tenants.stop();
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
      tenants.stop();
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

/** The operations console when it is on (OPS_CONSOLE and a token); else one line saying how to turn it on. */
function openConsole(
  infra: Infrastructure,
  roles: ServiceRoles,
  status: () => Promise<ServiceStatus>,
  tenants: TenantControl,
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
  return createConsole({ infra, token, status, tenants, groups: lagTargets(config, roles) });
}

async function checkReadiness(
  infra: Infrastructure,
  roles: ServiceRoles,
  runtimes: ConsumerRuntime[],
  probes: Record<'database' | 'registry', TimedProbe>,
) {
  const [database, registry, kafka] = await Promise.all([
    probes.database.check(),
    probes.registry.check(),
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
