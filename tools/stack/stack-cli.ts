// Local stack CLI: npm run stack -- up [--sasl-ssl]|down|status|env [--sasl-ssl]|reset
//   up      start Kafka (127.0.0.1:9092), the schema registry (:8081) and make PostgreSQL available;
//           progress on stderr, `export` lines for the endpoints on stdout: eval "$(npm run -s stack -- up)"
//           --sasl-ssl (JVM stack): Kafka also gets a SASL_SSL listener on 9094 (SCRAM-SHA-512, a CA
//           made at start) and the exported Kafka variables point at it (see stack-sasl-ssl.ts)
//   down    stop them (data is kept)
//   status  show what runs, and the `export` lines when all are ready; exit code 0 when ready, 3 otherwise
//   env     only the `export` lines of a ready stack (exit code 3 otherwise): eval "$(npm run -s stack -- env)"
//           --sasl-ssl: the Kafka variables of the SASL_SSL listener started by `up --sasl-ssl`
//   reset   down, then delete Kafka's and the registry's data (not the artifact cache)
// With a Docker engine: docker-compose.yml (Kafka, Confluent Schema Registry, PostgreSQL).
// Without: Kafka and Apicurio Registry on the JVM; PostgreSQL from DATABASE_URL or 127.0.0.1:5432
// when reachable, else an embedded server kept running in the background.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  COMPOSE_ENDPOINTS,
  composeDown,
  composeStatus,
  composeUp,
  composeWipe,
} from './docker-compose-stack.ts';
import { dockerEngineAnswers } from './docker-stack.ts';
import { jvmStackDown, jvmStackStatus, jvmStackUp, jvmStackWipe } from './jvm-stack.ts';
import { postgresAnswers } from './postgres.ts';
import { tcpOpen } from './probes.ts';
import { exportLines, maintenanceUrl, shellQuoted } from './stack-env.ts';
import { SASL_SSL_PORT, saslSslVariables, stackSaslSslEndpoint } from './stack-sasl-ssl.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STACK = join(ROOT, '.stack');
const PG_PID = join(STACK, 'postgres.pid');
const PG_URL_FILE = join(STACK, 'postgres.url');
// The server of an exported DATABASE_URL (perhaps the service's database, not created yet) is probed
// through its maintenance database.
const LOCAL_PG = maintenanceUrl(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');

type Endpoints = { kafkaBrokers: string; schemaRegistryUrl: string; databaseUrl: string };
type Backend = {
  name: string;
  up(options: { saslSsl: boolean }): Promise<Endpoints>;
  down(): Promise<Record<string, string>>;
  status(): Promise<{ lines: string[]; ready: boolean; endpoints: Endpoints }>;
  wipe(): Promise<void>;
};

/** PostgreSQL for the JVM backend: the reachable one, else an embedded server in the background. */
async function postgresUp(): Promise<string> {
  if (await postgresAnswers(LOCAL_PG)) return LOCAL_PG;
  if (existsSync(PG_URL_FILE) && (await postgresAnswers(readFileSync(PG_URL_FILE, 'utf8')))) {
    return readFileSync(PG_URL_FILE, 'utf8');
  }
  mkdirSync(join(STACK, 'logs'), { recursive: true });
  rmSync(PG_URL_FILE, { force: true });
  const log = openSync(join(STACK, 'logs', 'postgres.log'), 'w');
  const daemon = spawn(
    process.execPath,
    [fileURLToPath(new URL('./embedded-postgres-daemon.ts', import.meta.url))],
    {
      detached: true,
      stdio: ['ignore', log, log],
    },
  );
  daemon.unref();
  writeFileSync(PG_PID, String(daemon.pid));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (existsSync(PG_URL_FILE)) return readFileSync(PG_URL_FILE, 'utf8');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `PostgreSQL (embedded) did not start within 120 s; read ${join(STACK, 'logs', 'postgres.log')}`,
  );
}

function postgresDown(): string {
  if (!existsSync(PG_PID)) return 'not started by this tool';
  try {
    process.kill(Number(readFileSync(PG_PID, 'utf8')), 'SIGTERM');
  } catch {
    // already gone
  }
  rmSync(PG_PID, { force: true });
  rmSync(PG_URL_FILE, { force: true });
  return 'stopped';
}

const jvm: Backend = {
  name: 'jvm',
  up: async ({ saslSsl }) => {
    const [endpoints, databaseUrl] = await Promise.all([jvmStackUp({ saslSsl }), postgresUp()]);
    return { ...endpoints, databaseUrl };
  },
  down: async () => ({ ...(await jvmStackDown()), postgres: postgresDown() }),
  status: async () => {
    const s = await jvmStackStatus();
    const lines = [s.kafka, s.apicurio].map((c) => {
      const state = c.ready ? 'ready' : c.portOpen ? 'port open, not ready' : 'not answering';
      return `${c.title.padEnd(18)} ${state.padEnd(21)} ${c.address}${c.ready ? '' : `  (log: ${c.logFile})`}`;
    });
    const pgUrl = existsSync(PG_URL_FILE) ? readFileSync(PG_URL_FILE, 'utf8') : LOCAL_PG;
    const pgReady = await postgresAnswers(pgUrl);
    lines.push(
      `${'PostgreSQL'.padEnd(18)} ${(pgReady ? 'ready' : 'not answering').padEnd(21)} ${new URL(pgUrl).host}`,
    );
    const endpoints = {
      kafkaBrokers: s.kafka.address,
      schemaRegistryUrl: s.apicurio.address,
      databaseUrl: pgUrl,
    };
    return { lines, ready: s.kafka.ready && s.apicurio.ready && pgReady, endpoints };
  },
  wipe: () => jvmStackWipe(),
};

const docker: Backend = {
  name: 'docker compose',
  up: () => composeUp({ log: console.error }), // stdout carries only the export lines
  down: () => composeDown(),
  status: async () => {
    const s = await composeStatus();
    const lines = s.services.map((c) => `${c.service.padEnd(18)} ${c.state} ${c.health}`);
    return { lines, ready: s.ready, endpoints: { ...COMPOSE_ENDPOINTS } };
  },
  wipe: () => composeWipe(),
};

/** The export lines of `up --sasl-ssl`: the Kafka variables name the secured listener. */
function saslSslExportLines(endpoints: Endpoints): string[] {
  const secured = saslSslVariables(
    stackSaslSslEndpoint(STACK, new URL(`kafka://${endpoints.kafkaBrokers}`).hostname),
  );
  const rest = exportLines(endpoints).filter((line) => !line.startsWith('export KAFKA_BROKERS='));
  return [...rest, ...Object.entries(secured).map(([name, value]) => `export ${name}=${shellQuoted(value)}`)];
}

/** Whether the running Kafka has the listener `up --sasl-ssl` adds (its port answers, its files exist). */
async function saslSslListening(endpoints: Endpoints): Promise<boolean> {
  const host = new URL(`kafka://${endpoints.kafkaBrokers}`).hostname;
  const endpoint = stackSaslSslEndpoint(STACK, host);
  return existsSync(endpoint.caFile) && existsSync(endpoint.passwordFile) && tcpOpen(host, SASL_SSL_PORT);
}

async function up(backend: Backend, options: string[]): Promise<number> {
  const saslSsl = options.includes('--sasl-ssl');
  if (saslSsl && backend !== jvm) {
    console.error(
      '--sasl-ssl needs the JVM stack (no Docker engine): docker-compose.yml has no SASL_SSL listener',
    );
    return 2;
  }
  const started = Date.now();
  const endpoints = await backend.up({ saslSsl });
  console.error(`stack up (${backend.name}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const line of saslSsl ? saslSslExportLines(endpoints) : exportLines(endpoints)) console.log(line);
  return 0;
}

async function main(command: string | undefined, options: string[]): Promise<number> {
  const backend = (await dockerEngineAnswers()) ? docker : jvm;
  switch (command) {
    case 'up':
      return up(backend, options);
    case 'down':
    case 'reset': {
      for (const [name, outcome] of Object.entries(await backend.down())) console.log(`${name}: ${outcome}`);
      if (command === 'reset') {
        await backend.wipe();
        console.log('data deleted');
      }
      return 0;
    }
    case 'status': {
      const { lines, ready, endpoints } = await backend.status();
      for (const line of lines) console.log(line);
      if (ready) for (const line of ['', ...exportLines(endpoints)]) console.log(line);
      return ready ? 0 : 3;
    }
    case 'env': {
      const { ready, endpoints } = await backend.status();
      if (!ready) {
        console.error(`stack (${backend.name}) not ready: see npm run stack -- status, or start it with up`);
        return 3;
      }
      const saslSsl = options.includes('--sasl-ssl');
      if (saslSsl && !(backend === jvm && (await saslSslListening(endpoints)))) {
        console.error(
          `no SASL_SSL listener on port ${SASL_SSL_PORT}: start the stack with npm run stack -- up --sasl-ssl`,
        );
        return 3;
      }
      for (const line of saslSsl ? saslSslExportLines(endpoints) : exportLines(endpoints)) console.log(line);
      return 0;
    }
    default:
      console.error('usage: npm run stack -- up [--sasl-ssl]|down|status|env [--sasl-ssl]|reset');
      return 2;
  }
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
