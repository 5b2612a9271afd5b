// What every benchmark needs: the reference finance server in a child process (as a remote service
// would be), a configuration on fresh topics and a fresh database, a backlog of invoices, and
// cleanup (database dropped, topics deleted). Kafka, the registry and PostgreSQL are the stack
// `ensureStack` finds or starts.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Message } from 'kafkajs';
import pg from 'pg';
// The benchmark's own Kafka clients spin no idle timer either: they share the cores being measured.
import '../src/platform/kafka/request-queue-patch.ts';
import { type Config, loadConfig } from '../src/config/config.ts';
import { buildLinesIngestedEvent } from '../src/ingest/build-lines-ingested.ts';
import { invoiceKey } from '../src/invoice/invoice-events.ts';
import { createLogger } from '../src/ops/logger.ts';
import type { Infrastructure } from '../src/service/infrastructure.ts';
import { startService } from '../src/service/service.ts';
import { BenchError } from './bench-report.ts';
import { spawnChild } from './children.ts';

export interface Endpoints {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  databaseUrl: string;
}

export const benchLogger = createLogger({ level: 'warn', pretty: false });

/** Polls `check` every 20 ms (after `refresh`, when given) until it holds; fails after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => boolean,
  timeoutMs = 600_000,
  refresh?: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await refresh?.();
    if (check()) return;
    if (Date.now() > deadline) throw new BenchError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, refresh ? 1_000 : 20));
  }
}

export interface FinanceProcess {
  url: string;
  child: ChildProcess;
  stats(): Promise<Record<string, unknown>>;
  stop(): void;
}

/**
 * The reference finance server as a child process on a free port, answering after `latencyMs`.
 * Fails with one line (the server's own reason) when it does not start.
 */
export async function startFinance(secret: string, latencyMs: number): Promise<FinanceProcess> {
  const script = fileURLToPath(new URL('../tools/finance-server/main.ts', import.meta.url));
  const child = spawnChild(process.execPath, [script], {
    env: { ...process.env, FINANCE_JWT_SECRET: secret, FINANCE_SERVER_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [first] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const line = JSON.parse(first.toString().split('\n')[0] ?? '{}') as { url?: string; msg?: string };
  if (!line.url) throw new BenchError(`the reference finance server did not start: ${line.msg ?? first}`);
  const url = line.url;
  child.stdout?.resume(); // its request logs are not read
  if (latencyMs > 0) {
    await fetch(`${url}/_admin/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs }),
    });
  }
  const stats = async () =>
    ((await (await fetch(`${url}/_admin/stats`)).json()) as { data: Record<string, unknown> }).data;
  return { url, child, stats, stop: () => void child.kill('SIGTERM') };
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

/** The bench's configuration over the caller's environment, so a service variable (KAFKA_FETCH_MAX_BYTES…) reaches every bench. */
export function benchConfig(...args: Parameters<typeof benchEnv>): Config {
  return loadConfig({ ...process.env, ...benchEnv(...args) });
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
    const invoices = {
      tenantId: 'platform-admin',
      prefix: `BENCH-${id}`,
      from: i,
      to: Math.min(count, i + 500),
    };
    await sendInvoices(infra, await encodeInvoices(infra, invoices));
  }
  await publisher.stop();
  return infra.schemaIds.linesIngested;
}

/** The 33-line April invoices `${prefix}-${from}` … `${prefix}-${to - 1}` of `tenantId`, Avro-encoded. */
export async function encodeInvoices(
  infra: Infrastructure,
  invoices: { tenantId: string; prefix: string; from: number; to: number },
): Promise<Message[]> {
  const messages: Message[] = [];
  for (let j = invoices.from; j < invoices.to; j++) {
    const event = buildLinesIngestedEvent({
      tenantId: invoices.tenantId,
      provider: 'digitalocean',
      providerInvoiceId: `${invoices.prefix}-${j}`,
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
  return messages;
}

/** Sends encoded invoices in produce requests of 500; each record's timestamp is when it is sent. */
export async function sendInvoices(infra: Infrastructure, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 500) {
    const batch = messages.slice(i, i + 500);
    await infra.producer.send({ topic: infra.config.topics.linesIngested, acks: -1, messages: batch });
  }
}

/** Drops the benchmark's database and deletes its topics: a run leaves nothing behind. */
export async function cleanUp(
  endpoints: Endpoints,
  config: Config,
  extraTopics: string[] = [],
): Promise<void> {
  await dropDatabase(endpoints, config);
  await deleteTopics(endpoints, [...Object.values(config.topics), ...extraTopics]);
}

export async function dropDatabase(endpoints: Endpoints, config: Config): Promise<void> {
  const admin = new pg.Client({ connectionString: endpoints.databaseUrl });
  await admin.connect();
  await admin.query(
    `drop database if exists "${new URL(config.database.url).pathname.slice(1)}" with (force)`,
  );
  await admin.end();
}

export async function deleteTopics(endpoints: Endpoints, topics: string[]): Promise<void> {
  const admin = benchKafka(endpoints).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter((topic) => existing.has(topic));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
  } finally {
    await admin.disconnect();
  }
}

/** A quiet kafkajs client for the benchmark's own readers, loops and admin work. */
export function benchKafka(endpoints: Endpoints): Kafka {
  return new Kafka({
    clientId: 'bench',
    brokers: endpoints.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
}

export function benchId(): string {
  return randomBytes(3).toString('hex');
}
