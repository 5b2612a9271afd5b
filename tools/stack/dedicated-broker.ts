// A Kafka broker of its own for a test that must stop Kafka (readiness, reliability, listener tests):
// a separate single-node KRaft JVM on free ports with its own data dir, never the shared broker of
// the local stack, which other tests and people keep using meanwhile. Same artifacts and broker
// configuration as jvm-stack.ts (see kafka-node.ts).
//
// Its files live under <repo>/.stack/dedicated/<name>/ (server.properties, kafka.log, data/) and
// are removed by close(). A broker whose owner process died without close() (a killed test worker)
// is reaped by the next startDedicatedBroker().
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SecureEndpoints, secureListeners } from './dedicated-secure-listeners.ts';
import { findJava } from './java-home.ts';
import { type Dist, ensureDist } from './jvm-dist.ts';
import { type KafkaNodeSpec, markerOf, type ScramUser, startKafkaNode } from './kafka-node.ts';
import { kafkaMetadata } from './probes.ts';
import { isOurs, sleep, tailFile } from './proc.ts';

const HOST = '127.0.0.1';
const STACK_DIR = fileURLToPath(new URL('../../.stack', import.meta.url));
const DEDICATED_DIR = join(STACK_DIR, 'dedicated');
/** A cold single-node KRaft start takes ~4-6 s on a 2-core machine; this allows for a loaded one. */
const READY_TIMEOUT_MS = 90_000;
const READY_POLL_MS = 100;
/** A SIGKILLed JVM is gone in well under a second; longer means something is wrong. */
const KILL_TIMEOUT_MS = 10_000;
/**
 * After a SIGKILL the restarted controller still holds the dead broker's registration and refuses
 * the new one (DUPLICATE_BROKER_REGISTRATION) until that session expires: 9 s by default, which
 * made a restart take ~13 s. A short session makes it ~5 s. Not for the shared broker: on a busy
 * machine a long GC pause could then fence it.
 */
const FAST_RESTART_PROPERTIES = {
  'broker.session.timeout.ms': '3000',
  'broker.heartbeat.interval.ms': '500',
};

export interface DedicatedBrokerOptions {
  /** Added to, or replacing, the broker's server.properties (e.g. a SASL or TLS listener). */
  properties?: Record<string, string>;
  /**
   * Extra TLS listeners next to the PLAINTEXT one, with a CA and broker certificate made at start
   * in the broker's folder: SASL_SSL with these SCRAM-SHA-512/256 users, and/or SSL requiring a
   * client certificate (mutual TLS; one is made for the client too).
   */
  secure?: { scramUsers?: ScramUser[]; mtls?: boolean };
  log?: (line: string) => void;
}

export interface DedicatedBroker {
  /** `host:port` of the PLAINTEXT listener, for KAFKA_BROKERS. */
  brokers: string;
  /** The TLS listeners, when started with `secure`. */
  secure: SecureEndpoints | undefined;
  host: string;
  port: number;
  controllerPort: number;
  logFile: string;
  /** Milliseconds the last start or restart took until the broker answered Metadata. */
  startMs: number;
  /** SIGKILLs the JVM (no controlled shutdown) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data dir (topics, offsets and cluster id kept). */
  restart(): Promise<void>;
  /** Kills it if running and deletes its files. Idempotent. */
  close(): Promise<void>;
}

/** Ports the OS calls free now; the broker binds them a few seconds later (a small race, rare). */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, HOST, () => resolve((server.address() as { port: number }).port));
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

const ownerMarker = (name: string) => `dedicated-${name}`;

/**
 * Kills dedicated brokers whose owner (the pid in their name) is dead and deletes their files.
 * Only JVMs carrying our -D marker are looked at (Linux /proc; elsewhere nothing is reaped).
 */
function reapOrphans(log: (line: string) => void): void {
  let names: string[];
  try {
    names = readdirSync(DEDICATED_DIR);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = Number(name.split('-')[0]);
    if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) continue;
    for (const pid of pidsWithMarker(markerOf({ markerName: ownerMarker(name) }))) {
      log(`killing orphaned dedicated broker ${name} (pid ${pid})`);
      process.kill(pid, 'SIGKILL');
    }
    rmSync(join(DEDICATED_DIR, name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function pidsWithMarker(marker: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  return entries.map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(marker);
    } catch {
      return false; // exited meanwhile, or not ours to read
    }
  });
}

async function waitReady(spec: KafkaNodeSpec, child: ChildProcess): Promise<void> {
  let exited = '';
  child.once('exit', (code, signal) => (exited = signal ?? `code ${code}`));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (((await kafkaMetadata(spec.host, spec.port, 1_000))?.brokers ?? 0) >= 1) return;
    if (exited) break;
    await sleep(READY_POLL_MS);
  }
  const what = exited ? `exited (${exited})` : `not ready within ${READY_TIMEOUT_MS / 1000} s`;
  throw new Error(
    `dedicated Kafka broker on ${spec.host}:${spec.port} ${what}. Last lines of ${spec.logFile}:\n${tailFile(spec.logFile, 15)}`,
  );
}

/**
 * Starts a separate single-node Kafka on free ports and waits until it answers Metadata.
 * Fetches the Kafka artifacts first if the local stack never did (one Maven run).
 */
export async function startDedicatedBroker(options: DedicatedBrokerOptions = {}): Promise<DedicatedBroker> {
  const log = options.log ?? ((line: string) => console.error(`[dedicated-broker] ${line}`));
  reapOrphans(log);
  const java = findJava(17, 'STACK_KAFKA_JAVA', 'Kafka').bin;
  const dist = await ensureDist(join(STACK_DIR, 'dist'), log);
  const [port, controllerPort, saslSslPort, mtlsPort] = (await freePorts(4)) as [
    number,
    number,
    number,
    number,
  ];
  const name = `${process.pid}-${port}`;
  const dir = join(DEDICATED_DIR, name);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const secure =
    options.secure &&
    secureListeners(
      HOST,
      dir,
      saslSslPort,
      options.secure.mtls ? mtlsPort : undefined,
      options.secure.scramUsers,
    );
  const spec: KafkaNodeSpec = {
    host: HOST,
    port,
    controllerPort,
    dataDir: join(dir, 'data'),
    configFile: join(dir, 'server.properties'),
    logFile: join(dir, 'kafka.log'),
    markerName: ownerMarker(name),
    properties: { ...FAST_RESTART_PROPERTIES, ...options.properties },
    ...(secure ? { secure: secure.listeners } : {}),
  };
  const broker = new RunningBroker({ java, dist, spec, dir, secure: secure?.endpoints });
  try {
    await broker.start();
  } catch (error) {
    await broker.close();
    throw error;
  }
  return broker;
}

interface BrokerLaunch {
  java: string;
  dist: Dist;
  spec: KafkaNodeSpec;
  /** The broker's own folder: working directory, config, log and data. */
  dir: string;
  secure: SecureEndpoints | undefined;
}

class RunningBroker implements DedicatedBroker {
  readonly brokers: string;
  readonly secure: SecureEndpoints | undefined;
  readonly host: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly logFile: string;
  startMs = 0;
  readonly #launch: BrokerLaunch;
  #child: ChildProcess | undefined;
  readonly #killOnExit = () => this.#signal('SIGKILL');

  constructor(launch: BrokerLaunch) {
    this.#launch = launch;
    const { spec } = launch;
    this.host = spec.host;
    this.port = spec.port;
    this.controllerPort = spec.controllerPort;
    this.brokers = `${spec.host}:${spec.port}`;
    this.secure = launch.secure;
    this.logFile = spec.logFile;
  }

  async start(): Promise<void> {
    if (this.#child) throw new Error(`dedicated broker ${this.brokers} is already running`);
    const started = Date.now();
    const { java, dist, spec, dir } = this.#launch;
    const child = startKafkaNode(java, dist, spec, dir);
    if (child.pid === undefined) throw new Error(`could not start ${java} for a dedicated broker`);
    this.#child = child;
    // A test process that ends without close() must not leave a JVM behind (exit handlers are sync).
    process.once('exit', this.#killOnExit);
    await waitReady(spec, child);
    this.startMs = Date.now() - started;
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (!child?.pid) return;
    this.#signal('SIGKILL');
    const deadline = Date.now() + KILL_TIMEOUT_MS;
    while (isOurs(child.pid, markerOf(this.#launch.spec))) {
      if (Date.now() > deadline) throw new Error(`dedicated broker pid ${child.pid} survived SIGKILL`);
      await sleep(50);
    }
    this.#child = undefined;
    process.off('exit', this.#killOnExit);
  }

  restart(): Promise<void> {
    return this.start();
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.#launch.dir, { recursive: true, force: true });
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      if (this.#child?.pid) process.kill(this.#child.pid, signal);
    } catch {
      // already gone
    }
  }
}
