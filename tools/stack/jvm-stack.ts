// No-Docker local stack: Apache Kafka 4.x (KRaft, one combined broker+controller)
// and Apicurio Registry 3.x (Confluent-compatible API), run as detached JVMs from
// Maven Central artifacts. Used by tools/stack/stack-cli.ts and by test setup.
//
// Everything it keeps is under <repo>/.stack (git-ignored by its own .gitignore):
//   dist/            Maven-fetched artifacts, per version (fetched once)
//   kafka-data/      KRaft log dir (formatted once, kept across down/up)
//   apicurio-data/   H2 database of the registry (kept across down/up, see below)
//   logs/*.log       stdout+stderr of each JVM, rewritten at each start
//   *.pid            pids of the JVMs this tool started; up.lock while an `up` runs
//   kafka-server.properties  the broker config, rewritten at each start
// Java: Kafka runs on the first Java 17+ found, Apicurio on the first Java 21+
// (see java-home.ts); STACK_KAFKA_JAVA / STACK_APICURIO_JAVA name a binary instead.
// The broker's configuration and launch are in kafka-node.ts, shared with dedicated-broker.ts
// (brokers of their own for tests that stop Kafka).
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findJava } from './java-home.ts';
import type { Dist } from './jvm-dist.ts';
import { ensureDist } from './jvm-dist.ts';
import { type KafkaNodeSpec, markerOf, startKafkaNode } from './kafka-node.ts';
import { httpOk, kafkaMetadata, tcpOpen } from './probes.ts';
import {
  isOurs,
  readPid,
  removePid,
  sleep,
  spawnDetached,
  stopProcess,
  tailFile,
  withLock,
  writePid,
} from './proc.ts';
import { markScramUsers, prepareStackSaslSsl, SASL_SSL_PORT } from './stack-sasl-ssl.ts';

const HOST = '127.0.0.1';
const KAFKA_PORT = 9092;
const CONTROLLER_PORT = 9093;
const REGISTRY_PORT = 8081;
const CCOMPAT_PATH = '/apis/ccompat/v7';
const DEFAULT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type StackUpOptions = {
  rootDir?: string;
  log?: (line: string) => void;
  /** Start Kafka with an extra SASL_SSL listener on 9094 (see stack-sasl-ssl.ts). */
  saslSsl?: boolean;
  /** Told which components this call started (none when everything already ran). */
  onStarted?: (names: string[]) => void;
};
export type StackEndpoints = { kafkaBrokers: string; schemaRegistryUrl: string };
export type ComponentStatus = {
  title: string;
  address: string;
  /** pid of the JVM this tool started, if it is alive. */
  pid: number | null;
  portOpen: boolean;
  ready: boolean;
  logFile: string;
};
export type StackStatus = { kafka: ComponentStatus; apicurio: ComponentStatus };

type Layout = ReturnType<typeof layout>;
type Component = {
  name: 'kafka' | 'apicurio';
  title: string;
  port: number;
  address: string;
  pidFile: string;
  logFile: string;
  minJava: number;
  /** Env var naming a java binary to use instead of searching. */
  javaEnv: string;
  readyTimeoutMs: number;
  stopGraceMs: number;
  ready: () => Promise<boolean>;
  start: (java: string, dist: Dist) => ChildProcess;
};

function layout(rootDir: string) {
  const stack = join(rootDir, '.stack');
  return {
    stack,
    dist: join(stack, 'dist'),
    logs: join(stack, 'logs'),
    kafkaData: join(stack, 'kafka-data'),
    kafkaConfig: join(stack, 'kafka-server.properties'),
    apicurioData: join(stack, 'apicurio-data'),
  };
}

const ENDPOINTS: StackEndpoints = {
  kafkaBrokers: `${HOST}:${KAFKA_PORT}`,
  schemaRegistryUrl: `http://${HOST}:${REGISTRY_PORT}${CCOMPAT_PATH}`,
};

// ---------------------------------------------------------------- Kafka

function kafkaComponent(p: Layout, saslSsl: boolean): Component {
  const pidFile = join(p.stack, 'kafka.pid');
  const node: KafkaNodeSpec = {
    host: HOST,
    port: KAFKA_PORT,
    controllerPort: CONTROLLER_PORT,
    dataDir: p.kafkaData,
    configFile: p.kafkaConfig,
    logFile: join(p.logs, 'kafka.log'),
    markerName: 'kafka',
  };
  return {
    name: 'kafka',
    title: 'Kafka',
    port: KAFKA_PORT,
    address: ENDPOINTS.kafkaBrokers,
    pidFile,
    logFile: node.logFile,
    minJava: 17,
    javaEnv: 'STACK_KAFKA_JAVA',
    readyTimeoutMs: 90_000,
    stopGraceMs: 30_000, // controlled shutdown flushes logs; ~1 s when idle
    ready: async () => ((await kafkaMetadata(HOST, KAFKA_PORT))?.brokers ?? 0) >= 1,
    start: (java, dist) => {
      if (!saslSsl) return startKafkaNode(java, dist, node, p.stack);
      const secure = prepareStackSaslSsl(p.stack, p.kafkaData, HOST);
      const child = startKafkaNode(java, dist, { ...node, secure }, p.stack);
      markScramUsers(p.kafkaData); // formatting (with the SCRAM user) happened before the launch
      return child;
    },
  };
}

// ---------------------------------------------------------------- Apicurio

function apicurioComponent(p: Layout): Component {
  const pidFile = join(p.stack, 'apicurio.pid');
  const logFile = join(p.logs, 'apicurio.log');
  const props: Record<string, string> = {
    'quarkus.http.host': HOST,
    'quarkus.http.port': String(REGISTRY_PORT),
    // The app also opens a management interface (health, metrics), by default on
    // 0.0.0.0:9000: keep it on loopback, on a free port, so it never collides.
    'quarkus.management.host': HOST,
    'quarkus.management.port': '0',
    // Confluent's default global compatibility is BACKWARD; Apicurio's is none.
    // With this a subject without its own config is checked like on Confluent.
    'apicurio.rules.global.compatibility': 'BACKWARD',
    // Default storage is an in-memory H2 that is lost at each stop, while Kafka's
    // data is kept: old messages would then carry schema ids that no longer (or
    // wrongly) resolve. A file H2 keeps both in step; `stack reset` wipes both.
    'apicurio.datasource.url': `jdbc:h2:file:${join(p.apicurioData, 'registry')}`,
    // Left at their defaults on purpose (checked with @kafkajs/confluent-schema-registry 4.1):
    // apicurio.ccompat.legacy-id-mode.enabled=false -> ids are content ids, like
    // Confluent (same schema, same id, across subjects); ccompat DELETE of
    // subjects/versions (soft and ?permanent=true) works without extra settings;
    // CORS only matters to browsers.
  };
  return {
    name: 'apicurio',
    title: 'Apicurio Registry',
    port: REGISTRY_PORT,
    address: ENDPOINTS.schemaRegistryUrl,
    pidFile,
    logFile,
    minJava: 21, // 3.3.x is compiled for Java 21
    javaEnv: 'STACK_APICURIO_JAVA',
    readyTimeoutMs: 120_000,
    stopGraceMs: 15_000,
    ready: () => httpOk(`${ENDPOINTS.schemaRegistryUrl}/subjects`),
    start: (java, dist) => {
      const args = ['-Xms128m', '-Xmx512m', markerOf({ markerName: 'apicurio' })];
      for (const [k, v] of Object.entries(props)) args.push(`-D${k}=${v}`);
      return spawnDetached(java, [...args, '-jar', dist.apicurioJar], { cwd: p.stack, logFile });
    },
  };
}

function components(rootDir: string, saslSsl = false): [Component, Component] {
  const p = layout(rootDir);
  return [kafkaComponent(p, saslSsl), apicurioComponent(p)];
}

// ---------------------------------------------------------------- lifecycle

const marker = (c: Component) => markerOf({ markerName: c.name });

function notReady(c: Component, what: string): Error {
  return new Error(
    `${c.title} ${what}: nothing usable on ${c.address} (port ${c.port}). ` +
      `Read ${c.logFile}; its last lines:\n${tailFile(c.logFile, 15)}`,
  );
}

async function waitReady(
  c: Component,
  pid: number,
  child: ChildProcess | null,
  log: (l: string) => void,
): Promise<void> {
  const state = { exited: '' };
  child?.once('exit', (code, signal) => (state.exited = `exited (${signal ?? `code ${code}`})`));
  const started = Date.now();
  while (Date.now() - started < c.readyTimeoutMs) {
    if (await c.ready()) {
      log(`${c.title} ready at ${c.address} after ${((Date.now() - started) / 1000).toFixed(1)}s`);
      return;
    }
    const exited = state.exited || (!child && !isOurs(pid, marker(c)) ? `(pid ${pid}) exited` : '');
    if (exited) {
      removePid(c.pidFile);
      throw notReady(c, exited);
    }
    await sleep(500);
  }
  throw notReady(
    c,
    `not ready within ${c.readyTimeoutMs / 1000}s (pid ${pid} left running; \`stack down\` stops it)`,
  );
}

/**
 * Starts whatever is not running yet and waits until both answer. Idempotent:
 * returns at once when both are ready; waits for a JVM started by an earlier
 * call that is still booting; fetches artifacts only when the cache lacks them.
 */
export async function jvmStackUp(opts: StackUpOptions = {}): Promise<StackEndpoints> {
  const rootDir = opts.rootDir ?? DEFAULT_ROOT;
  const log = opts.log ?? ((line: string) => console.error(`[stack] ${line}`));
  const all = components(rootDir, opts.saslSsl);
  const ready = await Promise.all(all.map((c) => c.ready()));
  if (opts.saslSsl && ready[0] && !(await tcpOpen(HOST, SASL_SSL_PORT))) {
    throw new Error(
      `Kafka already runs without its SASL_SSL listener (port ${SASL_SSL_PORT}): \`npm run stack -- down\` first, then \`npm run stack -- up --sasl-ssl\``,
    );
  }
  if (ready.every(Boolean)) return ENDPOINTS;

  const p = layout(rootDir);
  for (const dir of [p.stack, p.logs, p.kafkaData, p.apicurioData]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(p.stack, '.gitignore'), '*\n'); // keep .stack out of git whatever the root .gitignore says
  // The lock outlasts a first run's download; a waiting caller then finds both ready.
  const started = await withLock(join(p.stack, 'up.lock'), 15 * 60_000, () => startMissing(all, p, log));
  opts.onStarted?.(started);
  return ENDPOINTS;
}

/** Starts what is not running yet; returns the names of the components it started. */
async function startMissing(all: Component[], p: Layout, log: (line: string) => void): Promise<string[]> {
  const readiness = await Promise.all(all.map((c) => c.ready()));
  const waits: Promise<void>[] = [];
  const toStart: { c: Component; java: string }[] = [];
  for (const [i, c] of all.entries()) {
    if (readiness[i]) {
      log(`${c.title} already running at ${c.address}`);
      continue;
    }
    const pid = readPid(c.pidFile);
    if (pid !== null && isOurs(pid, marker(c))) {
      log(`${c.title} (pid ${pid}) is still starting; waiting for it`);
      waits.push(waitReady(c, pid, null, log));
      continue;
    }
    removePid(c.pidFile); // stale
    if (await tcpOpen(HOST, c.port)) {
      throw new Error(
        `${c.title}: port ${c.port} is taken by a process this tool did not start, and it does not answer as ${c.title}. Free port ${c.port} (see \`ss -ltnp\`).`,
      );
    }
    // Find Java before any download, so a missing JDK fails in a second.
    toStart.push({ c, java: findJava(c.minJava, c.javaEnv, c.title).bin });
  }

  if (toStart.length > 0) {
    const dist = await ensureDist(p.dist, log);
    for (const { c, java } of toStart) {
      log(
        `starting ${c.title} (${c.name === 'kafka' ? dist.kafkaVersion : dist.apicurioVersion}) with ${java}; log: ${c.logFile}`,
      );
      const child = c.start(java, dist);
      if (child.pid === undefined) throw notReady(c, `could not be started with ${java}`);
      writePid(c.pidFile, child.pid);
      waits.push(waitReady(c, child.pid, child, log));
    }
  }

  const results = await Promise.allSettled(waits);
  const errors = results.flatMap((r) =>
    r.status === 'rejected' ? [String(r.reason?.message ?? r.reason)] : [],
  );
  if (errors.length > 0) throw new Error(errors.join('\n\n'));
  return toStart.map(({ c }) => c.name);
}

/** SIGTERM both JVMs this tool started (SIGKILL after a grace period); removes pid files. */
export async function jvmStackDown(
  rootDir: string = DEFAULT_ROOT,
): Promise<Record<'kafka' | 'apicurio', string>> {
  const outcomes = await Promise.all(
    components(rootDir).map(async (c) => {
      const pid = readPid(c.pidFile);
      const outcome = pid === null ? 'not running' : await stopProcess(pid, marker(c), c.stopGraceMs);
      removePid(c.pidFile);
      return [
        c.name,
        pid === null || outcome === 'not running' ? outcome : `${outcome} (pid ${pid})`,
      ] as const;
    }),
  );
  return Object.fromEntries(outcomes) as Record<'kafka' | 'apicurio', string>;
}

/** Deletes Kafka's and the registry's data (not the artifact cache). Call after down. */
export async function jvmStackWipe(rootDir: string = DEFAULT_ROOT): Promise<void> {
  const status = await jvmStackStatus(rootDir);
  if (status.kafka.pid !== null || status.apicurio.pid !== null)
    throw new Error('stack is running: stop it first');
  const p = layout(rootDir);
  for (const dir of [p.kafkaData, p.apicurioData]) rmSync(dir, { recursive: true, force: true });
}

export async function jvmStackStatus(rootDir: string = DEFAULT_ROOT): Promise<StackStatus> {
  const statusOf = async (c: Component): Promise<ComponentStatus> => {
    const pid = readPid(c.pidFile);
    const [portOpen, ready] = await Promise.all([tcpOpen(HOST, c.port), c.ready()]);
    return {
      title: c.title,
      address: c.address,
      pid: pid !== null && isOurs(pid, marker(c)) ? pid : null,
      portOpen,
      ready,
      logFile: c.logFile,
    };
  };
  const [kafka, apicurio] = components(rootDir);
  const [k, a] = await Promise.all([statusOf(kafka), statusOf(apicurio)]);
  return { kafka: k, apicurio: a };
}
