import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { inject, onTestFinished } from 'vitest';
import { ensureTopics } from '../../../src/platform/kafka/kafka-client.ts';
import type { FinanceServer } from '../../../tools/finance-server/finance-server.ts';
import { financeForTest } from '../../helpers/service.ts';
import { uniqueSuffix } from '../../helpers/test-config.ts';
import { chaosDatabaseUrl, chaosEnv } from './chaos-env.ts';
import { Fleet } from './fleet.ts';
import { type ProducerOptions, startProducer } from './producer-process.ts';
import { ReadinessSampler } from './readiness-sampler.ts';

export const CHAOS_DIR = fileURLToPath(new URL('../../../.chaos/', import.meta.url));
export const PARTITIONS = 6; // the shipped KAFKA_TOPIC_PARTITIONS

export interface ScenarioOptions {
  /** Another broker than the shared one. */
  brokers?: string;
  /** The service reaches PostgreSQL through this URL (a proxy); checks use the direct one. */
  serviceDatabaseUrl?: (directUrl: string) => Promise<string> | string;
  /** The service reaches finance through this URL (a proxy); checks use the server itself. */
  financeUrl?: (directUrl: string) => Promise<string> | string;
  overrides?: Record<string, string>;
}

/**
 * Everything one scenario works with: its own topics, groups, database and finance server, the
 * fleet of service processes, the readiness sampler, and a way to start producer processes.
 */
export async function startScenario(name: string, options: ScenarioOptions = {}) {
  const suffix = uniqueSuffix();
  const brokers = options.brokers ?? inject('kafkaBrokers');
  const databaseUrl = chaosDatabaseUrl(suffix);
  onTestFinished(() => dropDatabase(databaseUrl));
  const finance: FinanceServer = await financeForTest();
  const env = chaosEnv({
    suffix,
    brokers,
    financeUrl: options.financeUrl ? await options.financeUrl(finance.url) : finance.url,
    ...(options.serviceDatabaseUrl
      ? { serviceDatabaseUrl: await options.serviceDatabaseUrl(databaseUrl) }
      : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  const kafka = new Kafka({
    clientId: `chaos-${name}`,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  // Created up front: the producer may run before any service instance creates them.
  const topics = [
    env.TOPIC_LINES_INGESTED,
    env.TOPIC_PUSHED_TO_FINANCE,
    env.TOPIC_LINES_INGESTED_DLQ,
    env.TOPIC_PUSHED_TO_FINANCE_DLQ,
  ] as string[];
  await ensureTopics(
    kafka,
    topics.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
  );
  const logDir = join(CHAOS_DIR, 'logs', `${name}-${suffix}`);
  const fleet = new Fleet({ env, logDir });
  onTestFinished(async () => {
    // The fleet first: a running service would create the topics again.
    await fleet.killAll();
    await admin.deleteTopics({ topics }).catch(() => undefined); // a dedicated broker may be gone already
    await admin.disconnect();
  });
  const sampler = new ReadinessSampler(fleet);
  const producer = (produce: Pick<ProducerOptions, 'count' | 'first' | 'rate' | 'poisonEvery' | 'tenant'>) =>
    startProducer({
      brokers,
      registry: env.SCHEMA_REGISTRY_URL as string,
      topic: env.TOPIC_LINES_INGESTED as string,
      run: suffix,
      logDir,
      ...produce,
    });
  return { name, run: suffix, env, databaseUrl, finance, kafka, admin, fleet, sampler, producer, logDir };
}

export type Scenario = Awaited<ReturnType<typeof startScenario>>;

/** `with (force)`: a service process still connected when the test ends does not keep it. */
async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}
