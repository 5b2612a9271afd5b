// What every benchmark needs: the reference finance server in a child process (as a remote service
// would be), a configuration on fresh topics and a fresh database, a backlog of 33-line invoices,
// and cleanup. Kafka, the registry and PostgreSQL are the stack `ensureStack` finds or starts.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startService } from '../src/app.ts';
import { type Config, loadConfig } from '../src/config/config.ts';
import { invoiceKey } from '../src/events/invoice-events.ts';
import { buildLinesIngestedEvent } from '../src/ingest/build-lines-ingested.ts';
import { createLogger } from '../src/ops/logger.ts';

export interface Endpoints {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  databaseUrl: string;
}

export const benchLogger = createLogger({ level: 'warn', pretty: false });

export async function waitUntil(what: string, check: () => boolean, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function machineLine(): string {
  return `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** The reference finance server as a child process, answering after `latencyMs`. */
export async function startFinance(
  secret: string,
  port: number,
  latencyMs: number,
): Promise<{ url: string; child: ChildProcess; stats(): Promise<Record<string, unknown>> }> {
  const script = fileURLToPath(new URL('../tools/finance-server/main.ts', import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, FINANCE_JWT_SECRET: secret, FINANCE_SERVER_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout as NodeJS.ReadableStream, 'data');
  const url = `http://127.0.0.1:${port}`;
  if (latencyMs > 0) {
    await fetch(`${url}/_admin/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs }),
    });
  }
  const stats = async () =>
    ((await (await fetch(`${url}/_admin/stats`)).json()) as { data: Record<string, unknown> }).data;
  return { url, child, stats };
}

/** The environment of a service on fresh topics, groups and database, named after `id`. */
export function benchEnv(
  endpoints: Endpoints,
  id: string,
  finance: { url: string; secret: string },
  env: Record<string, string> = {},
): Record<string, string> {
  const db = new URL(endpoints.databaseUrl);
  db.pathname = `/ifs_bench_${id.replaceAll('-', '_')}`;
  return {
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
    DATABASE_URL: db.toString(),
    TOPIC_LINES_INGESTED: `bench-${id}.lines_ingested`,
    TOPIC_PUSHED_TO_FINANCE: `bench-${id}.pushed_to_finance`,
    TOPIC_LINES_INGESTED_DLQ: `bench-${id}.lines_ingested.dlq`,
    TOPIC_PUSHED_TO_FINANCE_DLQ: `bench-${id}.pushed_to_finance.dlq`,
    PUSHER_GROUP_ID: `bench-pusher-${id}`,
    RECORDER_GROUP_ID: `bench-recorder-${id}`,
    SKYAI_FINANCE_URL: finance.url,
    FINANCE_JWT_SECRET: finance.secret,
    HTTP_PORT: '0',
    ...env,
  };
}

export function benchConfig(...args: Parameters<typeof benchEnv>): Config {
  return loadConfig(benchEnv(...args));
}

/** `count` invoice lines, the last one tax, like a DigitalOcean invoice of that size. */
export function benchLines(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    description: i === count - 1 ? 'GST (10%)' : `Droplet ${i}`,
    amount_minor: 250,
    product: 'Droplets',
    resource_id: null,
    project: 'bench',
  }));
}

export const BENCH_LINES = benchLines(33);

/**
 * Publishes `count` distinct 33-line invoices (topics, schemas and the database set up on the way);
 * returns the schema id of the input topic.
 */
export async function publishBacklog(config: Config, id: string, count: number): Promise<number> {
  const publisher = await startService({
    config,
    roles: { pusher: false, recorder: false },
    logger: benchLogger,
    opsServer: false,
  });
  const { infra } = publisher;
  for (let i = 0; i < count; i += 500) {
    const messages = [];
    for (let j = i; j < Math.min(count, i + 500); j++) {
      const event = buildLinesIngestedEvent({
        tenantId: 'platform-admin',
        provider: 'digitalocean',
        providerInvoiceId: `BENCH-${id}-${j}`,
        invoicePeriod: '2026-04-01',
        currency: 'USD',
        lines: BENCH_LINES,
      });
      const value = await infra.codec.encode(
        infra.schemaIds.linesIngested,
        infra.contracts.linesIngested,
        event,
      );
      messages.push({ key: invoiceKey(event), value });
    }
    await infra.producer.send({ topic: config.topics.linesIngested, acks: -1, messages });
  }
  await publisher.stop();
  return infra.schemaIds.linesIngested;
}

export async function dropDatabase(endpoints: Endpoints, config: Config): Promise<void> {
  const admin = new pg.Client({ connectionString: endpoints.databaseUrl });
  await admin.connect();
  await admin.query(
    `drop database if exists "${new URL(config.database.url).pathname.slice(1)}" with (force)`,
  );
  await admin.end();
}

export function benchId(): string {
  return randomBytes(3).toString('hex');
}
