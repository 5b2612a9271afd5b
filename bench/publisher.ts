// A separate publisher process for the latency benchmark: sends 33-line invoices one by one at a fixed
// rate (no batching, acks = -1), so each record's timestamp is when it was really produced.
//   BENCH_BROKERS, BENCH_REGISTRY, BENCH_TOPIC, BENCH_SCHEMA_ID, BENCH_RATE (per second), BENCH_COUNT, BENCH_PREFIX,
//   BENCH_LINES (lines per invoice, default 33)
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
// The benchmark's own Kafka clients spin no idle timer either: they share the cores being measured.
import '../src/platform/kafka/request-queue-patch.ts';
import { buildLinesIngestedEvent } from '../src/ingest/build-lines-ingested.ts';
import { invoiceKey } from '../src/invoice/invoice-events.ts';
import { quietKnownLibraryWarnings } from '../src/ops/process-warnings.ts';
import { benchLines } from './bench-kit.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

async function main() {
  quietKnownLibraryWarnings();
  const rate = Number(env('BENCH_RATE'));
  const count = Number(env('BENCH_COUNT'));
  const kafka = new Kafka({
    clientId: 'bench-publisher',
    brokers: env('BENCH_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });
  const registry = new SchemaRegistry({ host: env('BENCH_REGISTRY') });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const schemaId = Number(env('BENCH_SCHEMA_ID'));
  const lines = benchLines(Number(process.env.BENCH_LINES ?? 33));
  const intervalMs = 1_000 / rate;
  const startedAt = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const due = startedAt + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const event = buildLinesIngestedEvent({
      tenantId: 'platform-admin',
      provider: 'digitalocean',
      providerInvoiceId: `${env('BENCH_PREFIX')}-${i}`,
      invoicePeriod: '2026-04-01',
      currency: 'USD',
      lines,
    });
    const value = await registry.encode(schemaId, event);
    // Not awaited: a slow acknowledgement must not hold back the next send and bend the rate.
    sends.push(
      producer.send({ topic: env('BENCH_TOPIC'), acks: -1, messages: [{ key: invoiceKey(event), value }] }),
    );
  }
  await Promise.all(sends);
  await producer.disconnect();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
