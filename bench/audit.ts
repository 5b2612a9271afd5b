// Audit at scale: `invoice-finance-sync audit --json` as its own process over a topic of N
// lines_ingested events (4 versions of N/4 invoices, 2 lines each), an announcement and a row for
// most invoices' newest version and seeded drift (1 % never pushed, 1 % pushed but not recorded, 1 %
// stale); its resident memory is sampled from outside (/proc/<pid>/status) and its peak read from
// VmHWM. Sizes run back to back, so flat memory shows as the same peak whatever N is.
//   npm run bench:audit   (BENCH_AUDIT_EVENTS=100000,1000000, BENCH_PARTITIONS=6,
//                          BENCH_AUDIT_LIMITS=none,256MiB, BENCH_AUDIT_NODE_OPTIONS)
import { randomBytes, randomUUID } from 'node:crypto';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AuditReport } from '../src/audit/audit-runs.ts';
import type { Config } from '../src/config/config.ts';
import { loadConfig } from '../src/config/config.ts';
import { buildLinesIngestedEvent } from '../src/ingest/build-lines-ingested.ts';
import { type InvoiceLinesIngested, invoiceKey } from '../src/invoice/invoice-events.ts';
import { normalizeInvoice } from '../src/invoice/normalize-invoice.ts';
import { pushedEventFor } from '../src/invoice/pushed-event.ts';
import { type Infrastructure, openInfrastructure } from '../src/service/infrastructure.ts';
import { benchEnv, benchId, benchLines, benchLogger, cleanUp, type Endpoints } from './bench-kit.ts';
import { BenchError, header, loadLine, runBench, table } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';
import { spawnChild } from './children.ts';
import { createMemoryLimit, type MemoryLimit, parseMemoryLimit } from './memory-limit.ts';
import { peakRss } from './proc-status.ts';

const SIZES = (process.env.BENCH_AUDIT_EVENTS ?? '100000,1000000').split(',').map(Number);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 6);
const VERSIONS = 4; // lines_ingested events per invoice
const CHUNK = 500; // invoices per produce and per insert
const CLI = fileURLToPath(new URL('../bin/invoice-finance-sync.ts', import.meta.url));
const MIB = 2 ** 20;
// As shipped, on the bare host (V8 sizes its heap from the host's memory and collects lazily) and
// under a memory limit the way a container gets one (bench/memory-limit.ts, as bench:memory does).
const LIMITS = (process.env.BENCH_AUDIT_LIMITS ?? 'none,256MiB').split(',').map(parseMemoryLimit);

type Seeded = 'never_pushed' | 'pushed_not_recorded' | 'stale' | 'fine';
const classOf = (i: number): Seeded =>
  (['never_pushed', 'pushed_not_recorded', 'stale'] as const)[i % 100] ?? 'fine';

function version(i: number, v: number, id: string): InvoiceLinesIngested {
  const lines = benchLines(2).map((line, n) => ({ ...line, amount_minor: 100 * (v + 1) + n }));
  return buildLinesIngestedEvent({
    tenantId: 'platform-admin',
    provider: 'digitalocean',
    providerInvoiceId: `AUDIT-${id}-${i}`,
    invoicePeriod: '2026-04-01',
    currency: 'USD',
    lines,
  });
}

const INSERT_ROWS = `insert into cloud_invoices (tenant_id, provider, provider_invoice_id, invoice_period,
    amount_cents, finance_payload_sha256, finance_invoice_id, pushed_to_finance_at, inserted_at, updated_at)
  select 'platform-admin', 'digitalocean', r.id, date '2026-04-01', 300, r.sha, r.fid, now(), now(), now()
    from json_to_recordset(cast(? as json)) as r(id text, sha text, fid text)`;

/** One chunk of invoices: every version published, announcements and rows as the class says. */
async function seedChunk(infra: Infrastructure, id: string, from: number, to: number): Promise<void> {
  const ingested = [];
  const pushed = [];
  const rows = [];
  for (let i = from; i < to; i++) {
    const versions = Array.from({ length: VERSIONS }, (_, v) => version(i, v, id));
    for (const event of versions) {
      const value = await infra.codec.encode(
        infra.schemaIds.linesIngested,
        infra.contracts.linesIngested,
        event,
      );
      ingested.push({ key: invoiceKey(event), value });
    }
    const newest = versions.at(-1) as InvoiceLinesIngested;
    const normalized = normalizeInvoice(newest);
    const fid = randomUUID();
    const seeded = classOf(i);
    if (seeded === 'fine' || seeded === 'pushed_not_recorded') {
      const event = pushedEventFor(
        newest,
        normalized,
        { financeInvoiceId: fid, action: 'created' },
        {
          eventId: randomUUID(),
          nowMs: Date.now(),
        },
      );
      const value = await infra.codec.encode(
        infra.schemaIds.pushedToFinance,
        infra.contracts.pushedToFinance,
        event,
      );
      pushed.push({ key: invoiceKey(newest), value });
    }
    if (seeded === 'fine') rows.push({ id: newest.provider_invoice_id, sha: normalized.sha256, fid });
    if (seeded === 'stale') {
      const older = normalizeInvoice(versions[VERSIONS - 2] as InvoiceLinesIngested).sha256;
      rows.push({ id: newest.provider_invoice_id, sha: older, fid });
    }
  }
  const { topics } = infra.config;
  await infra.producer.send({ topic: topics.linesIngested, acks: -1, messages: ingested });
  if (pushed.length > 0)
    await infra.producer.send({ topic: topics.pushedToFinance, acks: -1, messages: pushed });
  if (rows.length > 0)
    await infra.database.orm.em.getConnection().execute(INSERT_ROWS, [JSON.stringify(rows)]);
}

// `Mark-Compact 198.4 (284.3) -> 50.2 (246.4) MB`: heap used (committed) before -> after.
const FULL_GC = /Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/;

/** The report (the line that is JSON) and the largest live heap a full collection left, in MB. */
function readOutput(stdout: string): { report: AuditReport; live: number } {
  const lines = stdout.split('\n');
  const json = lines.find((line) => line.startsWith('{'));
  if (json === undefined) throw new BenchError('audit printed no JSON report');
  const live = lines.map((line) => Number(FULL_GC.exec(line)?.[1] ?? 0));
  return { report: JSON.parse(json) as AuditReport, live: Math.max(0, ...live) };
}

/** The audit as its own process: its report, its peak RSS (last VmHWM seen) and its time. */
function auditProcess(
  env: Record<string, string>,
  limit: MemoryLimit | undefined,
): Promise<{ report: AuditReport; live: number; peak: number; ms: number }> {
  const started = performance.now();
  // --trace-gc only prints (to stdout, beside the report): the live heap after each full collection.
  const argv = [process.execPath, '--trace-gc', CLI, 'audit', '--json'];
  const [command, ...args] = limit ? limit.wrap(argv) : argv;
  const child = spawnChild(command as string, args, {
    // BENCH_AUDIT_NODE_OPTIONS: node options for experiments (e.g. --trace-gc, an --import that samples).
    env: { ...process.env, ...env, NODE_OPTIONS: process.env.BENCH_AUDIT_NODE_OPTIONS ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  let peak = 0;
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  const sampler = setInterval(() => {
    peak = Math.max(peak, peakRss(child.pid as number) ?? 0);
  }, 50);
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      clearInterval(sampler);
      const ms = performance.now() - started;
      if (code !== 1) reject(new BenchError(`audit exited with ${code}, expected 1 (drift seeded)`));
      else resolve({ ...readOutput(stdout), peak, ms });
    });
  });
}

function checkCounts(report: AuditReport, invoices: number): void {
  const seeded = Array.from({ length: invoices }, (_, i) => classOf(i));
  for (const c of ['never_pushed', 'pushed_not_recorded', 'stale', 'fine'] as const) {
    const expected = seeded.filter((x) => x === c).length;
    if (report.counts[c] !== expected) {
      throw new BenchError(`audit found ${report.counts[c]} ${c}, ${expected} were seeded`);
    }
  }
}

/** Seeds `events` once, then audits them once per heap setting; one table row each. */
async function auditOf(endpoints: Endpoints, events: number): Promise<(string | number)[][]> {
  const id = benchId();
  const env = benchEnv(
    endpoints,
    id,
    { url: 'http://127.0.0.1:9', secret: randomBytes(32).toString('hex') },
    {
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
    },
  );
  const config: Config = loadConfig({ ...process.env, ...env });
  const invoices = Math.floor(events / VERSIONS);
  try {
    const infra = await openInfrastructure(config, benchLogger);
    const seededAt = performance.now();
    try {
      for (let i = 0; i < invoices; i += CHUNK) await seedChunk(infra, id, i, Math.min(invoices, i + CHUNK));
    } finally {
      await infra.close();
    }
    const seededS = (performance.now() - seededAt) / 1000;
    const rows = [];
    for (const bytes of LIMITS) {
      const load = loadLine();
      const limit =
        bytes === undefined ? undefined : createMemoryLimit(bytes, `ifs-bench-audit-${benchId()}`);
      const { report, live, peak, ms } = await auditProcess(env, limit).finally(() => limit?.remove());
      checkCounts(report, invoices);
      const read = report.read.ingested + report.read.pushed;
      rows.push([
        events.toLocaleString('en'),
        report.read.pushed.toLocaleString('en'),
        `${invoices.toLocaleString('en')} (${report.drift.toLocaleString('en')} drift)`,
        bytes === undefined
          ? `none (host: ${(totalmem() / 2 ** 30).toFixed(0)} GiB)`
          : `${(bytes / MIB).toFixed(0)} MiB (cgroup)`,
        `${(peak / MIB).toFixed(0)} MiB`,
        `${live.toFixed(0)} MB`,
        `${(ms / 1000).toFixed(1)} s`,
        `${((read * 1000) / ms).toFixed(0)}`,
        `seeded in ${seededS.toFixed(0)} s; ${load} before the audit`,
      ]);
    }
    return rows;
  } finally {
    await cleanUp(endpoints, config);
  }
}

export async function main(): Promise<void> {
  const stack = await benchStack();
  const rows = [];
  for (const events of SIZES) rows.push(...(await auditOf(stack.endpoints, events)));
  header('Audit', 'npm run bench:audit');
  console.log(
    `\`audit --json\` as its own process; ${VERSIONS} versions per invoice, ${PARTITIONS} partitions; peak RSS = VmHWM of the process, sampled every 50 ms; live heap = the largest heap a full collection left (\`--trace-gc\`); the counts are checked against the seeded drift\n`,
  );
  table(
    [
      'lines_ingested events',
      'announcements',
      'invoices',
      'memory limit',
      'peak RSS',
      'live heap after full GCs, max',
      'time',
      'records/s',
      'notes',
    ],
    rows,
  );
  await stack.stop();
}

if (import.meta.main) runBench('bench:audit', main);
