import { inject } from 'vitest';
import { TEST_SECRET } from '../../helpers/test-config.ts';

export interface ChaosEnvOptions {
  suffix: string;
  financeUrl: string;
  /** Another broker than the shared one (the broker scenario's own). */
  brokers?: string;
  /** The service's database URL when it must go through a proxy; the checks use the direct one. */
  serviceDatabaseUrl?: string;
  /** Settings a scenario needs on top of the shipped defaults. */
  overrides?: Record<string, string>;
}

/**
 * The database of one scenario. Not named `ifs_test_*`: any vitest run's teardown drops those, and a
 * full run lasts long enough to meet another run's teardown on a shared PostgreSQL. The scenario
 * drops it itself (scenario.ts).
 */
export function chaosDatabaseUrl(suffix: string): string {
  return `${inject('databaseUrl').replace(/\/[^/]*$/, '')}/ifs_chaos_${suffix}`;
}

/**
 * The service's environment in a scenario: the shipped defaults for everything that decides how it
 * behaves under faults (session timeout, retries, backoffs, pauses), so the figures are those of a
 * real deployment; only endpoints, names, the ops port and the scenario's own overrides are set.
 */
export function chaosEnv(options: ChaosEnvOptions): Record<string, string> {
  const s = options.suffix;
  return {
    KAFKA_BROKERS: options.brokers ?? inject('kafkaBrokers'),
    SCHEMA_REGISTRY_URL: inject('schemaRegistryUrl'),
    DATABASE_URL: options.serviceDatabaseUrl ?? chaosDatabaseUrl(s),
    TOPIC_LINES_INGESTED: `c${s}.invoice.lines_ingested`,
    TOPIC_PUSHED_TO_FINANCE: `c${s}.invoice.pushed_to_finance`,
    TOPIC_LINES_INGESTED_DLQ: `c${s}.invoice.lines_ingested.dlq`,
    TOPIC_PUSHED_TO_FINANCE_DLQ: `c${s}.invoice.pushed_to_finance.dlq`,
    PUSHER_GROUP_ID: `pusher-c${s}`,
    RECORDER_GROUP_ID: `recorder-c${s}`,
    SKYAI_FINANCE_URL: options.financeUrl,
    FINANCE_JWT_SECRET: TEST_SECRET,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'info',
    ...options.overrides,
  };
}
