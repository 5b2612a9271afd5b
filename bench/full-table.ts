// Cost must not grow with history: the pusher drains the same backlog into an empty cloud_invoices and
// into one that already holds a million rows of the same tenant and provider (every row a prefix-only
// plan of the skip check would have to filter), alternating, at finance 0 ms so the database shows.
//   npm run bench:full-table   (BENCH_EVENTS=5000, BENCH_PARTITIONS=8, BENCH_HISTORY_ROWS=1000000,
//                               BENCH_ROUNDS=3, PUSHER_MAX_IN_FLIGHT=16)

import type { Config } from '../src/config/config.ts';
import { openDatabase } from '../src/platform/database/database.ts';
import { benchId, benchKafka } from './bench-kit.ts';
import { header, loadLine, median, runBench, table } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';
import { drainBacklog } from './drain.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 8);
const HISTORY_ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = Number(process.env.PUSHER_MAX_IN_FLIGHT ?? 16);

/** Creates and migrates the drain's database, then writes HISTORY_ROWS recorded invoices into it. */
async function fillHistory(config: Config): Promise<void> {
  const database = await openDatabase(config.database.url, { createDatabase: true, migrate: true });
  try {
    await database.orm.em.fork().execute(
      `insert into cloud_invoices (tenant_id, provider, provider_invoice_id, invoice_period, amount_cents,
         finance_payload_sha256, finance_invoice_id, pushed_to_finance_at, inserted_at, updated_at)
       select 'platform-admin', 'digitalocean', 'HISTORY-' || g, date '2025-01-01', 8692,
         md5(g::text) || md5(g::text), gen_random_uuid()::text, now(), now(), now()
         from generate_series(1, ${HISTORY_ROWS}) g`,
    );
  } finally {
    await database.close();
  }
}

export async function main(): Promise<void> {
  const stack = await benchStack();
  const kafka = benchKafka(stack.endpoints);
  const empty: number[] = [];
  const full: number[] = [];
  const loads: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(loadLine());
    const drain = { events: EVENTS, partitions: PARTITIONS, financeLatencyMs: 0, inFlight: IN_FLIGHT };
    empty.push(await drainBacklog(stack.endpoints, kafka, { ...drain, id: benchId() }));
    full.push(await drainBacklog(stack.endpoints, kafka, { ...drain, id: benchId(), prepare: fillHistory }));
  }
  header('Throughput with a full table', 'npm run bench:full-table');
  console.log(
    `${EVENTS} invoices of the tenant platform-admin, ${PARTITIONS} partitions, finance at 0 ms, PUSHER_MAX_IN_FLIGHT=${IN_FLIGHT}, median of ${ROUNDS} rounds (empty and full alternating); ${loads.join('; ')}\n`,
  );
  const fmt = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
  table(
    ['cloud_invoices before the drain', 'events/s', 'rounds', 'share of the empty table'],
    [
      ['empty', median(empty).toFixed(0), fmt(empty), '100 %'],
      [
        `${HISTORY_ROWS.toLocaleString('en')} rows of the same tenant and provider`,
        median(full).toFixed(0),
        fmt(full),
        `${((median(full) / median(empty)) * 100).toFixed(0)} %`,
      ],
    ],
  );
  await stack.stop();
}

if (import.meta.main) runBench('bench:full-table', main);
