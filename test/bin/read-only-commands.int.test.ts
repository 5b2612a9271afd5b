import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { request } from 'undici';
import { describe, expect, inject, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { loadContracts } from '../../src/platform/registry/contracts.ts';
import { createTopics, produce, testKafka } from '../helpers/kafka.ts';
import { smallInvoice, testEnv } from '../helpers/service.ts';

/**
 * `dlq list` and `dlq show` only read: they open no database (PostgreSQL may be down), register no
 * schema and create no topic. Run as an operator runs them, through the CLI.
 */
const CLI = fileURLToPath(new URL('../../bin/invoice-finance-sync.ts', import.meta.url));
const POSTGRES_DOWN = 'postgres://postgres@127.0.0.1:1/x'; // nothing listens on port 1

function cli(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function registryJson(path: string, init: { method?: 'POST'; body?: unknown } = {}): Promise<unknown> {
  const answer = await request(`${inject('schemaRegistryUrl')}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return answer.body.json();
}

/** A dead letter as the pusher writes it: Confluent-framed Avro under a subject of the test's own. */
async function deadLetterOnTopic(env: Record<string, string>, topic: string) {
  const { linesIngested } = loadContracts();
  const { id } = (await registryJson(`/subjects/${topic}.fixture-value/versions`, {
    method: 'POST',
    body: { schemaType: 'AVRO', schema: linesIngested.schemaText },
  })) as { id: number };
  const event = smallInvoice('INV-READ-ONLY', [1000, 100]);
  const header = Buffer.alloc(5);
  header.writeUInt32BE(id, 1); // magic byte 0, then the schema id
  await createTopics(testKafka(), [{ topic }]);
  await produce(testKafka(), topic, [
    {
      key: invoiceKey(event),
      value: Buffer.concat([header, linesIngested.type.toBuffer(event)]),
      partition: 0,
      headers: {
        [DLQ_HEADER.topic]: env.TOPIC_LINES_INGESTED as string,
        [DLQ_HEADER.partition]: '0',
        [DLQ_HEADER.offset]: '7',
        [DLQ_HEADER.timestamp]: String(Date.parse('2026-05-01T00:00:00Z')),
        [DLQ_HEADER.errorCode]: 'INVOICE_TOTAL_MISMATCH',
        [DLQ_HEADER.exceptionMessage]: 'lines sum to 1100 but total_minor is 1200',
      },
    },
  ]);
  return event;
}

/** What of the service's own topics, subjects and database exists now. */
async function leftBehind(env: Record<string, string>) {
  const admin = testKafka().admin();
  await admin.connect();
  const topics = await admin.listTopics().finally(() => admin.disconnect());
  const subjects = (await registryJson('/subjects')) as string[];
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  const databaseName = new URL(env.DATABASE_URL as string).pathname.slice(1);
  const databases = await client
    .query('select datname from pg_database where datname = $1', [databaseName])
    .finally(() => client.end());
  const ours = [
    'TOPIC_LINES_INGESTED',
    'TOPIC_PUSHED_TO_FINANCE',
    'TOPIC_LINES_INGESTED_DLQ',
    'TOPIC_PUSHED_TO_FINANCE_DLQ',
  ];
  const names = ours.map((variable) => env[variable] as string);
  return {
    topics: names.filter((name) => topics.includes(name)),
    subjects: names.filter((name) => subjects.includes(`${name}-value`)),
    databases: databases.rows.length,
  };
}

describe('read-only commands', () => {
  it('dlq list and dlq show read and decode a dead letter while PostgreSQL is down, creating nothing', async () => {
    const env = testEnv();
    const dlqTopic = env.TOPIC_LINES_INGESTED_DLQ as string;
    const event = await deadLetterOnTopic(env, dlqTopic);
    const down = { ...env, DATABASE_URL: POSTGRES_DOWN };

    const listed = cli(['dlq', 'list'], down);
    const limited = cli(['dlq', 'list', '--limit', '1', '--json'], down);
    const shown = cli(['dlq', 'show', '0:0'], down);

    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toBe(
      `0:0  2026-05-01T00:00:00.000Z  from ${env.TOPIC_LINES_INGESTED} 0:7  ${invoiceKey(event)}  INVOICE_TOTAL_MISMATCH  lines sum to 1100 but total_minor is 1200\n`,
    );
    expect(limited.code, limited.stderr).toBe(0);
    expect(JSON.parse(limited.stdout)).toMatchObject([{ partition: 0, offset: '0', key: invoiceKey(event) }]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('read as InvoiceLinesIngested');
    expect(shown.stdout).toContain(
      'INV-READ-ONLY of platform-admin (digitalocean), period 2026-04-01, total_minor 1100 USD, 2 lines summing to 1100',
    );
    // Only the topic the test created: no other topic of the service, no subject, no database.
    expect(await leftBehind(env)).toEqual({ topics: [dlqTopic], subjects: [], databases: 0 });
  });

  it('replay --dry-run lists the range while PostgreSQL is down, creating nothing', async () => {
    const env = testEnv();
    const topic = env.TOPIC_LINES_INGESTED as string;
    const event = await deadLetterOnTopic(env, topic); // any framed invoice on the input topic will do
    const down = { ...env, DATABASE_URL: POSTGRES_DOWN };

    const dry = cli(['replay', '--dry-run'], down);

    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toBe(
      `0:0  ${invoiceKey(event)}  ${event.event_id}  2026-04-01  USD 1100  2 lines\nreplay (dry run): 1 selected of 1 read, nothing pushed\n`,
    );
    expect(await leftBehind(env)).toEqual({ topics: [topic], subjects: [], databases: 0 });
  });

  it('answer cleanly when there is no dead-letter topic at all, and still create nothing', async () => {
    const env = testEnv(); // PostgreSQL is up here: the commands must not create the database anyway
    const dlqTopic = env.TOPIC_LINES_INGESTED_DLQ as string;

    const listed = cli(['dlq', 'list'], env);
    const shown = cli(['dlq', 'show', '0:3'], env);

    expect(listed).toEqual({ code: 0, stdout: '', stderr: `no dead letters in ${dlqTopic}\n` });
    expect(shown).toEqual({
      code: 64,
      stdout: '',
      stderr: `invoice-finance-sync: ${dlqTopic} has no record at 0:3\n`,
    });
    expect(await leftBehind(env)).toEqual({ topics: [], subjects: [], databases: 0 });
  });
});
