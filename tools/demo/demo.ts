// The main job on a fresh clone: bring up the stack, the reference finance server and both
// consumers; push the April 2026 DigitalOcean invoice; show what finance and cloud_invoices hold;
// ingest it again unchanged (skipped, no finance call); replay it (finance answers the repeated
// Idempotency-Key from its store: no new import, still one finance row); ingest a corrected version
// (finance answers updated, still one row); then stop everything it started. Exit code 0 on success, 1 on any failure.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ingestCommand } from '../../src/cli/ingest.ts';
import { loadConfig } from '../../src/config/config.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { quietKnownLibraryWarnings } from '../../src/ops/process-warnings.ts';
import { replayCommand } from '../../src/replay/replay.ts';
import { type Service, startService } from '../../src/service/service.ts';
import { type FinanceServer, startFinanceServer } from '../finance-server/finance-server.ts';
import { ensureStack } from '../stack/ensure-stack.ts';
import { dollars, step, waitFor } from './demo-output.ts';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/digitalocean-2026-04.csv', import.meta.url));
const INVOICE_ID = 'INV-2026-04-DO-4512389';
const TENANT = 'platform-admin';
const cleanups: (() => Promise<unknown>)[] = [];

async function main(): Promise<void> {
  quietKnownLibraryWarnings();
  const begun = Date.now();
  step('bringing up the stack (Kafka, schema registry, PostgreSQL)');
  const stack = await ensureStack((line) => step(`  ${line}`));
  cleanups.push(() => stack.stop());
  const secret = randomBytes(32).toString('hex');
  const finance: FinanceServer = await startFinanceServer({ secret });
  cleanups.push(() => finance.close());
  step(`reference finance server at ${finance.url}`);

  const database = new URL(stack.endpoints.databaseUrl);
  database.pathname = '/invoice_finance_sync_demo';
  const config = loadConfig({
    ...process.env,
    KAFKA_BROKERS: stack.endpoints.kafkaBrokers,
    SCHEMA_REGISTRY_URL: stack.endpoints.schemaRegistryUrl,
    DATABASE_URL: database.toString(),
    SKYAI_FINANCE_URL: finance.url,
    FINANCE_JWT_SECRET: secret,
    HTTP_PORT: '0',
  });
  const service: Service = await startService({
    config,
    roles: { pusher: true, recorder: true },
    logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn', pretty: false }),
  });
  cleanups.push(() => service.stop());
  const { infra } = service;
  await infra.database.orm.em
    .getConnection()
    .execute(`delete from cloud_invoices where provider_invoice_id = ?`, [INVOICE_ID]);
  await waitFor('both consumers to join their groups', async () =>
    (await service.readiness()).ready ? true : undefined,
  );
  step(`service ready: pusher + recorder (${service.ops?.url}/readyz)`);

  const ingest = (issuedAt = '2026-05-01T00:00:00Z') =>
    ingestCommand(infra, {
      csv: FIXTURE,
      invoiceId: INVOICE_ID,
      period: '2026-04',
      provider: 'digitalocean',
      tenant: TENANT,
      currency: 'USD',
      issuedAt,
    });
  const count = async (outcome: string) =>
    (await infra.metrics.events.get()).values.find(
      (v) => v.labels.consumer === 'pusher' && v.labels.outcome === outcome,
    )?.value ?? 0;
  const financeRows = () => finance.invoices().filter((row) => row.external_id === INVOICE_ID);

  const first = await ingest();
  step(
    `1. ingested the April 2026 DigitalOcean invoice ${INVOICE_ID}: ${first.lines.length} lines, ${dollars(first.total_minor)}`,
  );
  const row = await waitFor('the push to be recorded in cloud_invoices', async () => {
    const found = await infra.database.repository.find(TENANT, 'digitalocean', INVOICE_ID);
    return found?.finance_invoice_id ? found : undefined;
  });
  const [held] = financeRows();
  if (!held) throw new Error('finance holds no row for the invoice');
  console.log(`   finance: action ${finance.imports()[0]?.action}, id ${held.id}`);
  console.log(
    `   finance row: gross ${dollars(held.amount_gross_minor)} · tax ${dollars(held.amount_tax_minor)} · net ${dollars(held.amount_net_minor)}` +
      ` · source ${held.source} · tenant ${held.tenant_id} · vendor ${held.vendor.name} (${held.vendor.category})`,
  );
  console.log(
    `   cloud_invoices: ${row.provider}/${row.provider_invoice_id} period ${row.invoice_period} amount_cents ${row.amount_cents}` +
      ` pushed_to_finance_at ${row.pushed_to_finance_at?.toISOString()} finance_invoice_id ${row.finance_invoice_id}`,
  );

  await ingest();
  await waitFor('the unchanged invoice to be skipped', async () =>
    (await count('skipped')) === 1 ? true : undefined,
  );
  step(`2. ingested it again, unchanged: skipped, finance calls still ${finance.stats().requests}`);

  const replayStart = new Date(first.occurred_at);
  const summary = await replayCommand(
    infra,
    { key: invoiceKey(first), fromTime: replayStart, dryRun: false },
    { out: () => undefined, err: () => undefined },
  );
  const imports = finance.imports();
  const { idempotentReplays } = finance.stats();
  step(
    `3. replayed it (${summary.selected} events): finance gave its stored answer for the same Idempotency-Key ${idempotentReplays} time(s), imports still ${imports.length}, finance rows for the invoice: ${financeRows().length}`,
  );

  // The seed's re-run: the invoice pushed again with something changed (its issue date, corrected
  // upstream) is a new payload, so finance updates the one row it holds.
  await ingest('2026-05-02T00:00:00Z');
  const reimported = await waitFor('the corrected invoice in finance', async () => {
    const latest = finance.imports().at(-1);
    return latest && finance.imports().length === 2 ? latest : undefined;
  });
  step(
    `4. ingested a corrected version (issued a day later): finance action ${reimported.action}, id ${reimported.invoice_id}, finance rows for the invoice: ${financeRows().length}, gross ${dollars(financeRows()[0]?.amount_gross_minor ?? 0)}`,
  );

  const ok =
    held.amount_gross_minor === 8692 &&
    held.amount_tax_minor === 790 &&
    held.amount_net_minor === 7902 &&
    held.vendor.name === 'DigitalOcean' &&
    finance.vendors().length === 1 &&
    row.finance_invoice_id === held.id &&
    summary.selected >= 1 &&
    idempotentReplays >= 1 &&
    imports.length === 1 &&
    imports[0]?.invoice_id === held.id &&
    reimported.action === 'updated' &&
    reimported.invoice_id === held.id &&
    financeRows().length === 1;
  if (!ok) throw new Error('the results above do not match the seed scenario');
  console.log(`\n✔ demo passed in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
}

async function cleanup(): Promise<void> {
  for (const stop of cleanups.reverse()) await stop().catch(() => undefined);
}

main().then(
  async () => {
    await cleanup();
    process.exit(0);
  },
  async (error: unknown) => {
    console.error(`\n✘ demo failed: ${error instanceof Error ? error.message : String(error)}`);
    await cleanup();
    process.exit(1);
  },
);
