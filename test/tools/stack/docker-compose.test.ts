// The Docker path (docker-compose.yml, Dockerfile, tools/stack/docker-*.ts) checked without a Docker
// engine: the files' facts, their agreement with the testcontainers stack and with the service's own
// configuration rules, and, where the compose CLI plugin is installed, Compose's own validation.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config/config.ts';
import { readFinanceServerConfig } from '../../../tools/finance-server/finance-server-config.ts';
import {
  COMPOSE_ENDPOINTS,
  COMPOSE_FILE,
  composeAvailable,
  parsePs,
} from '../../../tools/stack/docker-compose-stack.ts';
import {
  dockerEngineAnswers,
  KAFKA_IMAGE,
  kafkaEnvironment,
  POSTGRES_IMAGE,
  SCHEMA_REGISTRY_ENVIRONMENT,
  SCHEMA_REGISTRY_IMAGE,
} from '../../../tools/stack/docker-stack.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

type Service = {
  image?: string;
  build?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  mem_limit?: string;
};
type ComposeFile = { name: string; services: Record<string, Service> };

const composeFile = parse(readFileSync(COMPOSE_FILE, 'utf8')) as ComposeFile;
const services = composeFile.services;
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

/** Compose's `${NAME:-default}` / `${NAME}` interpolation, against an empty environment. */
const interpolate = (value: string) =>
  value.replace(/\$\{\w+(?::?-([^}]*))?\}/g, (_, fallback = '') => fallback);
const environmentOf = (name: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
  );

describe('docker-compose.yml', () => {
  it('declares the three real servers, the finance server and the service, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['finance', 'invoice-finance-sync', 'kafka', 'postgres', 'schema-registry'].sort(),
    );
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.test, `${name} healthcheck`).toBeDefined();
      expect(s.healthcheck?.test.length, `${name} healthcheck`).toBeGreaterThan(0);
    }
    expect(service('postgres').healthcheck?.test).toContain('pg_isready');
    expect(service('finance').healthcheck?.test.join(' ')).toContain('http://127.0.0.1:4010/healthz');
    expect(service('invoice-finance-sync').healthcheck?.test.join(' ')).toContain(
      'http://127.0.0.1:9464/healthz',
    );
  });

  it('starts the service only once Kafka, the registry, PostgreSQL and finance are healthy', () => {
    const healthy = { condition: 'service_healthy' };
    expect(service('invoice-finance-sync').depends_on).toEqual({
      kafka: healthy,
      'schema-registry': healthy,
      postgres: healthy,
      finance: healthy,
    });
    expect(service('schema-registry').depends_on).toEqual({ kafka: healthy });
  });

  it('wires the service to the other containers, in values its configuration accepts', () => {
    const env = environmentOf('invoice-finance-sync');
    expect(env).toMatchObject({
      KAFKA_BROKERS: 'kafka:19092',
      SCHEMA_REGISTRY_URL: 'http://schema-registry:8081',
      DATABASE_URL: 'postgres://postgres:postgres@postgres:5432/invoice_finance_sync',
      SKYAI_FINANCE_URL: 'http://finance:4010',
      HTTP_PORT: '9464',
    });
    const config = loadConfig(env);
    expect(config.kafka.brokers).toEqual(['kafka:19092']);
    expect(config.finance.disabledReason).toBeUndefined();
    expect(config.finance.secret?.byteLength).toBeGreaterThanOrEqual(32);
    expect(config.http.port).toBe(9464);
  });

  it('gives finance and the service the same dev-only JWT secret, which the finance server accepts', () => {
    const sync = environmentOf('invoice-finance-sync');
    const finance = environmentOf('finance');
    expect(sync.FINANCE_JWT_SECRET).toBe(finance.FINANCE_JWT_SECRET);
    expect(sync.FINANCE_JWT_SECRET).toMatch(/^dev-only-/);
    expect(readFileSync(COMPOSE_FILE, 'utf8')).toMatch(/DEV-ONLY shared secret/);
    const server = readFinanceServerConfig(finance);
    expect({ host: server.host, port: server.port }).toEqual({ host: '0.0.0.0', port: 4010 });
  });

  it('runs finance and the service from the repository image', () => {
    expect(service('finance')).toMatchObject({
      build: '.',
      entrypoint: ['node', 'tools/finance-server/main.ts'],
    });
    expect(service('invoice-finance-sync')).toMatchObject({ build: '.', command: ['start'] });
    expect(existsSync(join(ROOT, 'tools/finance-server/main.ts'))).toBe(true);
  });

  it('gives the service a memory limit, which Node sizes V8’s heap from', () => {
    expect(service('invoice-finance-sync').mem_limit).toBe('512m');
  });

  it('publishes 9092, 8081, 5433 (PostgreSQL), 4010 and 9464 on the loopback interface only', () => {
    const ports = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.ports]));
    expect(ports).toEqual({
      kafka: ['127.0.0.1:9092:9092'],
      'schema-registry': ['127.0.0.1:8081:8081'],
      postgres: ['127.0.0.1:5433:5432'],
      finance: ['127.0.0.1:4010:4010'],
      'invoice-finance-sync': ['127.0.0.1:9464:9464'],
    });
    expect(COMPOSE_ENDPOINTS).toEqual({
      kafkaBrokers: '127.0.0.1:9092',
      schemaRegistryUrl: 'http://127.0.0.1:8081',
      databaseUrl: 'postgres://postgres:postgres@127.0.0.1:5433/postgres',
    });
  });

  it('configures Kafka and the registry exactly like the testcontainers stack', () => {
    expect(service('kafka').image).toBe(KAFKA_IMAGE);
    expect(service('schema-registry').image).toBe(SCHEMA_REGISTRY_IMAGE);
    expect(service('postgres').image).toBe(POSTGRES_IMAGE);
    expect(environmentOf('kafka')).toEqual(kafkaEnvironment('127.0.0.1:9092'));
    expect(environmentOf('schema-registry')).toEqual(SCHEMA_REGISTRY_ENVIRONMENT);
  });

  it('passes `docker compose config` where the compose plugin is installed', async () => {
    // Always asserted: the file is a named Compose project whose services all have an image or a build.
    expect(composeFile.name).toBe('invoice-finance-sync');
    for (const [name, s] of Object.entries(services)) expect(s.image ?? s.build, name).toBeDefined();
    if (await composeAvailable()) {
      const result = await run('docker', ['compose', '--file', COMPOSE_FILE, 'config', '--quiet']);
      expect(result.code, result.stderr).toBe(0);
    }
  }, 30_000);
});

type Instruction = { keyword: string; args: string };
type Stage = { from: string; name: string | undefined; instructions: Instruction[] };

/** Dockerfile stages, continuation lines joined, comments dropped. */
function dockerfileStages(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const line of lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const [from = '', as, name] = rest;
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

describe('Dockerfile', () => {
  const stages = dockerfileStages(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const final = stages.at(-1) as Stage;
  const args = (keyword: string) =>
    final.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('installs production dependencies only, from the lock file, in a separate stage', () => {
    const deps = stages.find((s) => s.name === 'deps');
    expect(deps?.from).toBe('node:24-slim');
    const instructions = deps?.instructions.map((i) => `${i.keyword} ${i.args}`) ?? [];
    expect(instructions.indexOf('COPY package.json package-lock.json ./')).toBeLessThan(
      instructions.findIndex((i) => i.startsWith('RUN npm ci --omit=dev')),
    );
    expect(args('COPY')).toContain('--from=deps /app/node_modules ./node_modules');
  });

  it('runs the final stage on Node 24 as the unprivileged node user, with a /healthz check', () => {
    expect(final.from).toMatch(/^node:24(-|$)/);
    expect(args('USER')).toEqual(['node']);
    expect(args('HEALTHCHECK')).toHaveLength(1);
    expect(args('HEALTHCHECK')[0]).toContain('http://127.0.0.1:9464/healthz');
    expect(args('ENV')).toContain('NODE_ENV=production');
    expect(args('EXPOSE')).toEqual(['9464']);
    expect(args('ENTRYPOINT')).toEqual(['["node", "bin/invoice-finance-sync.ts"]']);
    expect(args('CMD')).toEqual(['["start"]']);
  });

  it('copies every file the two entry points import, and .dockerignore lets them through', () => {
    const copied = args('COPY')
      .filter((a) => !a.startsWith('--from'))
      .flatMap((a) => a.split(/\s+/).slice(0, -1));
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    // schemas/ and migrations/ are read from disk at run time (src/platform/registry/contracts.ts, orm-config.ts).
    expect([...copied].sort()).toEqual(
      [
        'bin',
        'migrations',
        'mikro-orm.config.ts',
        'package.json',
        'schemas',
        'src',
        'tools/finance-server',
      ].sort(),
    );
    for (const path of copied) {
      expect(existsSync(join(ROOT, path)), `${path} exists`).toBe(true);
      expect(ignored.filter((pattern) => path === pattern || path.startsWith(`${pattern}/`))).toEqual([]);
    }
    const inImage = (file: string) => copied.some((c) => file === c || file.startsWith(`${c}/`));
    const { files, packages } = importClosure([
      'bin/invoice-finance-sync.ts',
      'tools/finance-server/main.ts',
    ]);
    expect(files.filter((f) => !inImage(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect([...packages].filter((p) => !(p in manifest.dependencies))).toEqual([]);
  });
});

/**
 * Files (relative to the repository) and npm packages reached from `entries` through runtime
 * imports; `import type` / `export type` are erased by Node's type stripping and not followed.
 */
function importClosure(entries: string[]): { files: string[]; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const pending = entries.map((e) => join(ROOT, e));
  const specifiers =
    /(?:^|[\s;])(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'([^']+)'|import\(\s*'([^']+)'\s*\)/g;
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, typeOnly, staticSpec, dynamicSpec] of readFileSync(file, 'utf8').matchAll(specifiers)) {
      const spec = staticSpec ?? dynamicSpec ?? '';
      if (typeOnly || spec.startsWith('node:')) continue;
      if (spec.startsWith('.')) pending.push(resolve(dirname(file), spec));
      else
        packages.add(
          spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec),
        );
    }
  }
  return { files: [...seen].map((f) => relative(ROOT, f)).sort(), packages };
}

describe('docker compose helpers', () => {
  it('read `docker compose ps --format json` as printed before and since Compose 2.21', () => {
    const kafka = { Service: 'kafka', State: 'running', Health: 'healthy' };
    const postgres = { Service: 'postgres', State: 'exited', Health: '' };
    const expected = [
      { service: 'kafka', state: 'running', health: 'healthy' },
      { service: 'postgres', state: 'exited', health: 'none' },
    ];
    expect(parsePs(`${JSON.stringify(kafka)}\n${JSON.stringify(postgres)}\n`)).toEqual(expected);
    expect(parsePs(JSON.stringify([kafka, postgres]))).toEqual(expected);
    expect(parsePs('')).toEqual([]);
  });
});

describe('dockerEngineAnswers', () => {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const home = mkdtempSync(join(tmpdir(), 'docker-engine-probe-'));

  afterEach(async () => {
    vi.unstubAllEnvs();
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  async function listen(server: Server): Promise<number> {
    servers.push(server);
    server.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return (server.address() as AddressInfo).port;
  }

  /** Points testcontainers at tcp://127.0.0.1:<port>, with no ~/.testcontainers.properties in the way. */
  function engineAt(port: number): void {
    vi.stubEnv('HOME', home);
    vi.stubEnv('DOCKER_HOST', `tcp://127.0.0.1:${port}`);
  }

  it('is true when the engine answers its info request', async () => {
    engineAt(
      await listen(createHttpServer((_, res) => res.setHeader('content-type', 'application/json').end('{}'))),
    );
    expect(await dockerEngineAnswers()).toBe(true);
  });

  it('is false by the deadline when the engine accepts connections but never answers', async () => {
    engineAt(await listen(createTcpServer()));
    const started = Date.now();
    expect(await dockerEngineAnswers(1_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('is false at once when nothing listens', async () => {
    const port = await listen(createTcpServer());
    await new Promise((done) => servers.splice(0)[0]?.close(done));
    engineAt(port);
    const started = Date.now();
    expect(await dockerEngineAnswers()).toBe(false);
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

function run(cmd: string, argv: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(cmd, argv, { cwd: ROOT, timeout: 20_000 }, (error, _stdout, stderr) =>
      done({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, stderr }),
    );
  });
}
