// Finds or starts the real stack the integration tests talk to (tools/stack/ensure-stack.ts):
// given endpoints, else testcontainers when a Docker engine answers, else the JVM stack.
// A component that cannot be reached fails the whole run with its name: nothing is skipped.
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureStack } from '../../tools/stack/ensure-stack.ts';
import { beginTestTopicSweep } from './test-topics.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    schemaRegistryUrl: string;
    databaseUrl: string;
  }
}

const log = (line: string) => process.stderr.write(`[stack] ${line}\n`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await ensureStack(log);
  const { endpoints } = stack;
  log(
    `kafka=${endpoints.kafkaBrokers} registry=${endpoints.schemaRegistryUrl} postgres=${redact(endpoints.databaseUrl)}`,
  );
  project.provide('kafkaBrokers', endpoints.kafkaBrokers);
  project.provide('schemaRegistryUrl', endpoints.schemaRegistryUrl);
  project.provide('databaseUrl', endpoints.databaseUrl);
  const topics = await beginTestTopicSweep(endpoints.kafkaBrokers);
  return async () => {
    await dropTestDatabases(endpoints.databaseUrl);
    // Locally a JVM stack stays up for the next run (saves its start-up); CI leaves nothing running.
    const stopping = Boolean(process.env.CI || stack.source === 'docker');
    // A stack this run stops takes its topics with it; one that stays up is left as it was found.
    if (!(stopping && stack.started)) {
      try {
        log(`deleted the ${await topics.deleteCreatedSince()} test topics this run created`);
      } catch (error) {
        log(`topic sweep: ${(error as Error).message}`);
      }
    }
    if (stopping) await stack.stop();
  };
}

/**
 * Each test works in databases of its own (ifs_test_*); none outlives the run. Without `force`: a
 * database another test run still uses (two runs on one stack) is left to that run to drop.
 */
async function dropTestDatabases(maintenanceUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "select datname from pg_database where datname like 'ifs\\_test\\_%'",
    );
    for (const { datname } of rows) {
      await client.query(`drop database if exists "${datname}"`).catch(() => undefined); // in use elsewhere
    }
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
