// Finds or starts the real stack the integration tests talk to, in this order:
// 1. endpoints given by KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL;
// 2. testcontainers, when a Docker engine answers;
// 3. the JVM stack (Apache Kafka + Apicurio Registry from Maven Central) plus PostgreSQL.
// A component that cannot be reached fails the whole run with its name: nothing is skipped.
import type { TestProject } from 'vitest/node';
import { dockerEngineAnswers, startDockerStack } from '../../tools/stack/docker-stack.ts';
import { jvmStackUp } from '../../tools/stack/jvm-stack.ts';
import { ensurePostgres } from '../../tools/stack/postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    schemaRegistryUrl: string;
    databaseUrl: string;
  }
}

const log = (line: string) => process.stderr.write(`[stack] ${line}\n`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = {
    kafkaBrokers: process.env.KAFKA_BROKERS,
    schemaRegistryUrl: process.env.SCHEMA_REGISTRY_URL,
    databaseUrl: process.env.DATABASE_URL,
  };
  let teardown = async () => {};
  let endpoints: { kafkaBrokers: string; schemaRegistryUrl: string; databaseUrl: string };
  if (given.kafkaBrokers && given.schemaRegistryUrl && given.databaseUrl) {
    log('using the stack named by KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL');
    endpoints = {
      kafkaBrokers: given.kafkaBrokers,
      schemaRegistryUrl: given.schemaRegistryUrl,
      databaseUrl: given.databaseUrl,
    };
  } else if (await dockerEngineAnswers()) {
    log('Docker engine found: starting Kafka, Schema Registry and PostgreSQL with testcontainers');
    const stack = await startDockerStack();
    endpoints = stack.endpoints;
    teardown = stack.stop;
  } else {
    log('no Docker engine: using the JVM stack (Apache Kafka + Apicurio Registry) and PostgreSQL');
    const [jvm, postgres] = await Promise.all([
      jvmStackUp({ log }),
      ensurePostgres({ log, databaseUrl: given.databaseUrl }),
    ]);
    endpoints = { ...jvm, databaseUrl: postgres.url };
    teardown = async () => {
      await postgres.stop?.();
    };
  }
  log(
    `kafka=${endpoints.kafkaBrokers} registry=${endpoints.schemaRegistryUrl} postgres=${redact(endpoints.databaseUrl)}`,
  );
  project.provide('kafkaBrokers', endpoints.kafkaBrokers);
  project.provide('schemaRegistryUrl', endpoints.schemaRegistryUrl);
  project.provide('databaseUrl', endpoints.databaseUrl);
  return teardown;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
