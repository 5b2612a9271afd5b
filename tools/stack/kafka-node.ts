// One single-node KRaft Kafka (combined broker + controller) on the JVM: its configuration, storage
// format and launch. Shared by the local stack (jvm-stack.ts, fixed ports) and by dedicated test
// brokers (dedicated-broker.ts, free ports, their own data dir).
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dist } from './jvm-dist.ts';
import { spawnDetached } from './proc.ts';

/** Every JVM the stack tools start carries -D<STACK_MARKER>=<name>, to recognise it by pid later. */
export const STACK_MARKER = 'invoice-finance-sync.stack';
const LOG4J_CONFIG = fileURLToPath(new URL('./jvm/kafka-log4j2.properties', import.meta.url));

export interface KafkaNodeSpec {
  host: string;
  /** PLAINTEXT client listener, also what readiness probes ask. */
  port: number;
  controllerPort: number;
  /** KRaft log dir (metadata log and topic data). */
  dataDir: string;
  /** server.properties file written at each start. */
  configFile: string;
  logFile: string;
  /** Value of the -D<STACK_MARKER> flag, unique per node. */
  markerName: string;
  /** Added to, or replacing, the defaults below. */
  properties?: Record<string, string>;
  /** Extra TLS listeners next to the PLAINTEXT one (which readiness probes keep asking). */
  secure?: SecureListeners;
}

/** A SCRAM login created when the storage is formatted (`kafka-storage format --add-scram`). */
export interface ScramUser {
  username: string;
  password: string;
}

export interface SecureListeners {
  /** PKCS12 keystore with the broker's key and certificate chain (see tls-material.ts). */
  keystore: { file: string; password: string };
  /** SASL_SSL listener: SCRAM-SHA-512 and SCRAM-SHA-256 logins over TLS. */
  saslSslPort?: number;
  /** SSL listener that requires a client certificate signed by the CA in `caFile` (mutual TLS). */
  mtls?: { port: number; caFile: string };
  /** Created with SCRAM-SHA-512 and SCRAM-SHA-256 credentials when the storage is formatted. */
  scramUsers?: ScramUser[];
}

export const markerOf = (spec: Pick<KafkaNodeSpec, 'markerName'>): string =>
  `-D${STACK_MARKER}=${spec.markerName}`;

// Tuned for tests on one small machine: one node, replication 1 everywhere,
// few internal partitions (each one is a log to create on first use).
function defaultProperties(spec: KafkaNodeSpec): Record<string, string> {
  const { host, port, controllerPort } = spec;
  return {
    'process.roles': 'broker,controller',
    'node.id': '1',
    // Static quorum of one voter: storage is formatted without --standalone.
    'controller.quorum.voters': `1@${host}:${controllerPort}`,
    listeners: `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': spec.dataDir,
    'auto.create.topics.enable': 'true',
    'num.partitions': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '5',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    // Consumers join at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms': '0',
  };
}

const SCRAM_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256'];
const SCRAM_LOGIN = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';

/** The listeners of `spec.secure` added to the PLAINTEXT and CONTROLLER ones, each with its keystore. */
function secureProperties(spec: KafkaNodeSpec): Record<string, string> {
  const { secure, host, port, controllerPort } = spec;
  if (!secure) return {};
  const listeners = [`PLAINTEXT://${host}:${port}`];
  const protocols = ['PLAINTEXT:PLAINTEXT', 'CONTROLLER:PLAINTEXT'];
  const props: Record<string, string> = {};
  const keystore = (name: string) => {
    props[`listener.name.${name}.ssl.keystore.location`] = secure.keystore.file;
    props[`listener.name.${name}.ssl.keystore.type`] = 'PKCS12';
    props[`listener.name.${name}.ssl.keystore.password`] = secure.keystore.password;
    props[`listener.name.${name}.ssl.key.password`] = secure.keystore.password;
  };
  if (secure.saslSslPort !== undefined) {
    listeners.push(`SASL_SSL://${host}:${secure.saslSslPort}`);
    protocols.push('SASL_SSL:SASL_SSL');
    keystore('sasl_ssl');
    props['listener.name.sasl_ssl.sasl.enabled.mechanisms'] = SCRAM_MECHANISMS.join(',');
    for (const mechanism of SCRAM_MECHANISMS) {
      props[`listener.name.sasl_ssl.${mechanism.toLowerCase()}.sasl.jaas.config`] = SCRAM_LOGIN;
    }
  }
  if (secure.mtls) {
    listeners.push(`MTLS://${host}:${secure.mtls.port}`);
    protocols.push('MTLS:SSL');
    keystore('mtls');
    props['listener.name.mtls.ssl.client.auth'] = 'required';
    props['listener.name.mtls.ssl.truststore.location'] = secure.mtls.caFile;
    props['listener.name.mtls.ssl.truststore.type'] = 'PEM';
  }
  return {
    listeners: [...listeners, `CONTROLLER://${host}:${controllerPort}`].join(','),
    'advertised.listeners': listeners.join(','),
    'listener.security.protocol.map': protocols.join(','),
    ...props,
  };
}

export function kafkaProperties(spec: KafkaNodeSpec): string {
  const all = { ...defaultProperties(spec), ...secureProperties(spec), ...spec.properties };
  return `${Object.entries(all)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

/** `kafka-storage.sh format` equivalent; skipped when the log dir is formatted. */
function formatKafkaStorage(java: string, dist: Dist, spec: KafkaNodeSpec): void {
  if (existsSync(join(spec.dataDir, 'meta.properties'))) return;
  const clusterId = randomClusterId();
  const args = [
    '-cp',
    dist.kafkaClasspath,
    `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`,
    'kafka.tools.StorageTool',
  ];
  const format = ['format', '--cluster-id', clusterId, '--config', spec.configFile, ...scramArguments(spec)];
  const out = spawnSync(java, [...args, ...format], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (out.status !== 0) {
    throw new Error(
      `Kafka storage format failed (exit ${out.status}) for ${spec.dataDir}:\n${out.stdout}${out.stderr}`,
    );
  }
}

/** `--add-scram` per user and mechanism: KRaft takes SCRAM credentials into its bootstrap metadata. */
function scramArguments(spec: KafkaNodeSpec): string[] {
  return (spec.secure?.scramUsers ?? []).flatMap(({ username, password }) =>
    SCRAM_MECHANISMS.flatMap((mechanism) => [
      '--add-scram',
      `${mechanism}=[name=${username},password=${password}]`,
    ]),
  );
}

/**
 * Writes the config, formats the storage on first start, and launches the broker as a detached JVM
 * whose output goes to `spec.logFile`. Restarting on the same spec keeps the data (and cluster id).
 */
export function startKafkaNode(java: string, dist: Dist, spec: KafkaNodeSpec, cwd: string): ChildProcess {
  writeFileSync(spec.configFile, kafkaProperties(spec));
  formatKafkaStorage(java, dist, spec);
  // Same JVM flags as kafka-server-start.sh, with a smaller heap.
  const jvm = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true'];
  const args = [...jvm, markerOf(spec), `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`];
  return spawnDetached(java, [...args, '-cp', dist.kafkaClasspath, 'kafka.Kafka', spec.configFile], {
    cwd,
    logFile: spec.logFile,
  });
}

/**
 * What `kafka-storage random-uuid` prints: 16 random bytes, base64url. Like Kafka's own
 * `Uuid.randomUuid`, never one starting with '-', which the tool's argument parser would take for an
 * option ("--cluster-id: expected one argument").
 */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
