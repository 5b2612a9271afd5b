// Docker local stack for the integration tests, started with testcontainers: Apache Kafka (KRaft, one
// combined broker+controller), Confluent Schema Registry and PostgreSQL on one private network.
// Same images and Kafka settings as docker-compose.yml, but every host port is free-chosen so test
// runs never collide with a running `npm run stack` or a local PostgreSQL.
// testcontainers is a dev dependency: it is imported lazily, so importing this file stays cheap.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import type { StartedNetwork, StartedTestContainer } from 'testcontainers';
import { kafkaMetadata } from './probes.ts';
import { sleep } from './proc.ts';

export const KAFKA_IMAGE = 'apache/kafka:4.1.0';
export const SCHEMA_REGISTRY_IMAGE = 'confluentinc/cp-schema-registry:7.7.1';
export const POSTGRES_IMAGE = 'postgres:17';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENGINE_PROBE_TIMEOUT_MS = 5_000; // five seconds: an engine that answers does so in well under one
const KAFKA_READY_TIMEOUT_MS = 90_000; // a minute and a half: JVM start plus KRaft metadata catch-up
const STARTUP_TIMEOUT_MS = 120_000; // two minutes per container for its wait strategy (image pull not included)
const KAFKA_HOST_PORT_IN_CONTAINER = 9092;
const KAFKA_INTERNAL = 'kafka:19092'; // what containers on the network (the registry) use
const REGISTRY_PORT = 8081;

export type DockerStackEndpoints = { kafkaBrokers: string; schemaRegistryUrl: string; databaseUrl: string };
export type DockerStack = { endpoints: DockerStackEndpoints; stop(): Promise<void> };

/**
 * True only when a Docker (or compatible) engine answers, as testcontainers finds it (DOCKER_HOST,
 * ~/.testcontainers.properties, the usual sockets); false within about five seconds otherwise, and
 * also when testcontainers is not installed (production image).
 * The probe runs in a child process that is killed at the deadline: dockerode's request has no
 * timeout, so an engine that accepts the connection but never answers would otherwise keep this
 * process alive long after we gave up on it.
 */
export function dockerEngineAnswers(timeoutMs = ENGINE_PROBE_TIMEOUT_MS): Promise<boolean> {
  const script = "(await import('testcontainers')).getContainerRuntimeClient().then(() => process.exit(0))";
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '--eval', script],
      { cwd: REPO_ROOT, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error) => resolve(error === null),
    );
  });
}

/**
 * Starts Kafka, the registry and PostgreSQL; resolves once all three serve requests. On a failure
 * midway, whatever was started is stopped again before the error is rethrown.
 */
export async function startDockerStack(): Promise<DockerStack> {
  const tc = await import('testcontainers');
  const host = hostForClients((await tc.getContainerRuntimeClient()).info.containerRuntime.host);
  const stoppers: (() => Promise<unknown>)[] = [];
  const started = <T extends StartedTestContainer | StartedNetwork>(it: T): T => {
    stoppers.push(() => it.stop());
    return it;
  };
  const stop = async () => {
    const errors: unknown[] = [];
    for (const s of stoppers.splice(0).reverse()) await s().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw new AggregateError(errors, 'docker stack: some containers did not stop');
  };
  try {
    const network = started(await new tc.Network().start());
    // allSettled, not all: a container that finishes starting after the other failed is stopped too.
    const [kafka, postgres] = settledOrThrow(
      await Promise.allSettled([
        startKafka(network, host).then((k) => ({ ...k, container: started(k.container) })),
        startPostgres(network).then(started),
      ]),
    );
    await waitForKafka(host, kafka.hostPort);
    const registry = started(await startRegistry(network));
    const endpoints = {
      kafkaBrokers: `${host}:${kafka.hostPort}`,
      schemaRegistryUrl: `http://${host}:${registry.getMappedPort(REGISTRY_PORT)}`,
      databaseUrl: `postgres://postgres:postgres@${host}:${postgres.getPort()}/postgres`,
    };
    return { endpoints, stop };
  } catch (error) {
    await stop().catch(() => undefined); // the start error is the one worth showing
    throw error;
  }
}

function settledOrThrow<T extends unknown[]>(results: { [K in keyof T]: PromiseSettledResult<T[K]> }): T {
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as T;
}

/**
 * `localhost` may resolve to ::1 first while Docker publishes on IPv4 only in some setups; Kafka
 * clients then connect to the advertised name, so advertise the IPv4 literal instead.
 */
function hostForClients(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}

/**
 * Kafka tells clients which address to connect to (advertised listener), so the host-facing one
 * must name the port as the host sees it. That port is chosen before start and bound explicitly
 * (a random mapping is only known after start, too late for the broker's configuration). The small
 * race (the port taken by someone else in between) fails the start loudly, never silently.
 */
async function startKafka(
  network: StartedNetwork,
  host: string,
): Promise<{ container: StartedTestContainer; hostPort: number }> {
  const tc = await import('testcontainers');
  const hostPort = await new tc.RandomPortGenerator().generatePort();
  const container = await new tc.GenericContainer(KAFKA_IMAGE)
    .withNetwork(network)
    .withNetworkAliases('kafka')
    .withExposedPorts({ container: KAFKA_HOST_PORT_IN_CONTAINER, host: hostPort })
    .withEnvironment(kafkaEnvironment(`${host}:${hostPort}`))
    .withWaitStrategy(tc.Wait.forListeningPorts())
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .start();
  return { container, hostPort };
}

/** The broker configuration of docker-compose.yml, with the host listener advertised as given. */
export function kafkaEnvironment(hostAdvertised: string): Record<string, string> {
  return {
    CLUSTER_ID: 'aWZzLXN0YWNrLWRvY2tlcg', // fixed: the KRaft log is formatted once per container
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:29093',
    KAFKA_LISTENERS: `CONTROLLER://:29093,PLAINTEXT_HOST://:${KAFKA_HOST_PORT_IN_CONTAINER},PLAINTEXT://:19092`,
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT_HOST://${hostAdvertised},PLAINTEXT://${KAFKA_INTERNAL}`,
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT',
    KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
    KAFKA_NUM_PARTITIONS: '1',
    KAFKA_DEFAULT_REPLICATION_FACTOR: '1',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
  };
}

/** The registry configuration of docker-compose.yml: it keeps its schemas in Kafka (`_schemas`). */
export const SCHEMA_REGISTRY_ENVIRONMENT: Readonly<Record<string, string>> = {
  SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
  SCHEMA_REGISTRY_LISTENERS: `http://0.0.0.0:${REGISTRY_PORT}`,
  SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: KAFKA_INTERNAL,
};

/** A listening port is not a usable broker: wait for a Metadata answer naming at least one broker. */
async function waitForKafka(host: string, port: number): Promise<void> {
  for (const deadline = Date.now() + KAFKA_READY_TIMEOUT_MS; Date.now() < deadline; await sleep(500)) {
    if (((await kafkaMetadata(host, port))?.brokers ?? 0) >= 1) return;
  }
  throw new Error(`Kafka (${KAFKA_IMAGE}) did not answer a Metadata request on ${host}:${port}`);
}

async function startRegistry(network: StartedNetwork): Promise<StartedTestContainer> {
  const tc = await import('testcontainers');
  return new tc.GenericContainer(SCHEMA_REGISTRY_IMAGE)
    .withNetwork(network)
    .withNetworkAliases('schema-registry')
    .withExposedPorts(REGISTRY_PORT)
    .withEnvironment(SCHEMA_REGISTRY_ENVIRONMENT)
    .withWaitStrategy(tc.Wait.forHttp('/subjects', REGISTRY_PORT).forStatusCode(200))
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .start();
}

/** User `postgres` is the image's superuser, so tests can CREATE DATABASE from `postgres`. */
async function startPostgres(network: StartedNetwork): Promise<StartedPostgreSqlContainer> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  return new PostgreSqlContainer(POSTGRES_IMAGE)
    .withNetwork(network)
    .withNetworkAliases('postgres')
    .withDatabase('postgres')
    .withUsername('postgres')
    .withPassword('postgres')
    .start();
}
