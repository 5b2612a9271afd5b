// Every benchmark, one after the other, on one stack: what `npm run bench` prints is BENCHMARKS.md's
// raw material (each part also runs alone: npm run bench:<name>).

import { main as audit } from './audit.ts';
import { runBench } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';
import { main as bigInvoice } from './big-invoice.ts';
import { main as financeLimit } from './finance-limit.ts';
import { main as fullTable } from './full-table.ts';
import { main as latency } from './latency.ts';
import { main as memory } from './memory.ts';
import { main as onePartition } from './one-partition.ts';
import { main as replay } from './replay.ts';
import { main as throughput } from './run.ts';
import { main as tenantFlood } from './tenant-flood.ts';
import { main as tracing } from './tracing.ts';

const PARTS: [string, () => Promise<void>][] = [
  ['throughput', throughput],
  ['full-table', fullTable],
  ['tracing', tracing],
  ['one-partition', onePartition],
  ['latency', latency],
  ['big-invoice', bigInvoice],
  ['memory', memory],
  ['replay', replay],
  ['tenant-flood', tenantFlood],
  ['audit', audit],
  ['finance-limit', financeLimit],
];

async function main(): Promise<void> {
  // Started here (if it was not running), the stack stays up for every part and stops at the end.
  const stack = await benchStack();
  // Every part runs on these endpoints (a dedicated broker included) instead of finding its own.
  process.env.KAFKA_BROKERS = stack.endpoints.kafkaBrokers;
  process.env.SCHEMA_REGISTRY_URL = stack.endpoints.schemaRegistryUrl;
  process.env.DATABASE_URL = stack.endpoints.databaseUrl;
  delete process.env.BENCH_BROKER;
  for (const [name, part] of PARTS) {
    process.stderr.write(`[bench] ${name}\n`);
    await part();
  }
  await stack.stop();
}

if (import.meta.main) runBench('bench', main);
