import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';

/** A short unique suffix so each test gets its own topics, groups and database. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

export interface TestEnvOptions {
  financeUrl?: string;
  secret?: string | null;
  suffix?: string;
  env?: Record<string, string>;
}

/** Environment for a service under test: the real stack's endpoints, fresh topics, groups and db. */
export function testEnv(options: TestEnvOptions = {}): Record<string, string> {
  const s = options.suffix ?? uniqueSuffix();
  const dbBase = inject('databaseUrl').replace(/\/[^/]*$/, '');
  return {
    KAFKA_BROKERS: inject('kafkaBrokers'),
    SCHEMA_REGISTRY_URL: inject('schemaRegistryUrl'),
    DATABASE_URL: `${dbBase}/ifs_test_${s}`,
    TOPIC_LINES_INGESTED: `t${s}.invoice.lines_ingested`,
    TOPIC_PUSHED_TO_FINANCE: `t${s}.invoice.pushed_to_finance`,
    TOPIC_LINES_INGESTED_DLQ: `t${s}.invoice.lines_ingested.dlq`,
    TOPIC_PUSHED_TO_FINANCE_DLQ: `t${s}.invoice.pushed_to_finance.dlq`,
    PUSHER_GROUP_ID: `pusher-${s}`,
    RECORDER_GROUP_ID: `recorder-${s}`,
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
    SKYAI_FINANCE_URL: options.financeUrl ?? 'http://127.0.0.1:9',
    FINANCE_JWT_SECRET: options.secret === null ? '' : (options.secret ?? TEST_SECRET),
    FINANCE_RETRY_MIN_DELAY_MS: '20',
    FINANCE_RETRY_MAX_DELAY_MS: '200',
    PUSHER_PAUSE_ON_TRANSIENT_MS: '500',
    SYSTEMIC_BACKOFF_MS: '300',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...options.env,
  };
}
