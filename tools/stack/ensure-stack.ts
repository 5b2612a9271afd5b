// Finds or starts the real stack (used by the test setup and the demo), in this order:
// 1. endpoints given by KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL;
// 2. testcontainers, when a Docker engine answers;
// 3. the JVM stack (Apache Kafka + Apicurio Registry from Maven Central) plus PostgreSQL
//    (DATABASE_URL or the local server when reachable, else an embedded one).
// A component that cannot be reached throws with its name, port and log file.

import { dockerEngineAnswers, startDockerStack } from './docker-stack.ts';
import { jvmStackDown, jvmStackUp } from './jvm-stack.ts';
import { ensurePostgres } from './postgres.ts';
import type { StackEndpoints } from './stack-env.ts';
import { maintenanceUrl } from './stack-env.ts';

export interface EnsuredStack {
  endpoints: StackEndpoints;
  /** How it was found: 'given', 'docker' or 'jvm'. */
  source: 'given' | 'docker' | 'jvm';
  /** Whether this call started anything (the demo then stops it again). */
  started: boolean;
  /** Stops only what this call started. */
  stop(): Promise<void>;
}

export async function ensureStack(log: (line: string) => void): Promise<EnsuredStack> {
  const env = process.env;
  if (env.KAFKA_BROKERS && env.SCHEMA_REGISTRY_URL && env.DATABASE_URL) {
    log('using the stack named by KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL');
    const endpoints = {
      kafkaBrokers: env.KAFKA_BROKERS,
      schemaRegistryUrl: env.SCHEMA_REGISTRY_URL,
      // An exported DATABASE_URL names the service's database (npm run stack -- env); callers want the server's.
      databaseUrl: maintenanceUrl(env.DATABASE_URL),
    };
    return { endpoints, source: 'given', started: false, stop: async () => {} };
  }
  if (await dockerEngineAnswers()) {
    log('Docker engine found: starting Kafka, Schema Registry and PostgreSQL with testcontainers');
    const stack = await startDockerStack();
    return { endpoints: stack.endpoints, source: 'docker', started: true, stop: stack.stop };
  }
  log('no Docker engine: using the JVM stack (Apache Kafka + Apicurio Registry) and PostgreSQL');
  // Only what this call started is stopped again: a readiness probe that timed out on a busy machine
  // must never make a caller stop a stack other processes are using.
  let startedHere: string[] = [];
  const [jvm, postgres] = await Promise.all([
    jvmStackUp({ log, onStarted: (names) => (startedHere = names) }),
    ensurePostgres({ log, databaseUrl: env.DATABASE_URL && maintenanceUrl(env.DATABASE_URL) }),
  ]);
  return {
    endpoints: { ...jvm, databaseUrl: postgres.url },
    source: 'jvm',
    started: startedHere.length > 0 || postgres.stop !== undefined,
    stop: async () => {
      await postgres.stop?.();
      if (startedHere.length > 0) await jvmStackDown();
    },
  };
}
