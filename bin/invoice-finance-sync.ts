#!/usr/bin/env node
// The launcher: parses the command line, loads the configuration once, runs one command.
import { Command, type CommanderError, Option } from 'commander';
import { parseSelection } from '../src/audit/audit-selection.ts';
import { auditCommand } from '../src/cli/audit.ts';
import { publishLinesIngested, readIngestEvent } from '../src/cli/ingest.ts';
import { startCommand } from '../src/cli/start.ts';
import { type Config, loadConfig } from '../src/config/config.ts';
import { renderEnvHelp } from '../src/config/env-docs.ts';
import { dlqList, dlqRedrive, dlqShow } from '../src/dead-letters/dlq.ts';
import { exitCodeOf, isSyncError } from '../src/failures/errors.ts';
import { EX_USAGE, reportingUsageErrors } from '../src/failures/usage-error.ts';
import {
  collectCoordinates,
  parseCoordinates,
  parseInteger,
  parseOffset,
  parsePartitions,
  parsePositive,
  parseReason,
  parseTenant,
  parseTime,
} from '../src/operator/cli-arguments.ts';
import { sizeHeapInPlace } from '../src/ops/heap-sizing.ts';
import { createLogger, type Logger } from '../src/ops/logger.ts';
import { quietKnownLibraryWarnings } from '../src/ops/process-warnings.ts';
import { runMigrations } from '../src/platform/database/database.ts';
import { tenantsList, tenantsPause, tenantsResume } from '../src/push/tenant-commands.ts';
import { replayCommand } from '../src/replay/replay.ts';
import { type Infrastructure, openInfrastructure } from '../src/service/infrastructure.ts';
import {
  openReadOnlyInfrastructure,
  type ReadOnlyInfrastructure,
} from '../src/service/read-only-infrastructure.ts';

quietKnownLibraryWarnings();

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    fail(error);
  }
}

function fail(error: unknown): never {
  const message = isSyncError(error)
    ? `${error.code}: ${error.message}`
    : String((error as Error)?.stack ?? error);
  process.stderr.write(`invoice-finance-sync: ${message}\n`);
  // sysexits.h codes for what only the operator can fix, so retrying cannot help: 78 an invalid variable,
  // credential or certificate; 65 a malformed input file; 66 one that cannot be read. Anything else: 1.
  process.exit(exitCodeOf(error));
}

/** Runs a one-shot command with Kafka, the registry and the database opened, and closes them after. */
function withInfrastructure<T>(work: (infra: Infrastructure) => Promise<T>): Promise<T> {
  return withOpened(openInfrastructure, work);
}

/**
 * Runs a command that only reads (`dlq list`, `dlq show`): no database, no schema registration, no
 * topic creation, so it works while PostgreSQL is down and leaves nothing behind.
 */
function withReadOnlyInfrastructure<T>(work: (infra: ReadOnlyInfrastructure) => Promise<T>): Promise<T> {
  return withOpened(openReadOnlyInfrastructure, work);
}

async function withOpened<I extends { close(): Promise<void> }, T>(
  open: (config: Config, logger: Logger) => Promise<I>,
  work: (infra: I) => Promise<T>,
): Promise<T> {
  const cfg = config();
  const infra = await open(
    cfg,
    createLogger({ ...cfg.log, level: cfg.log.level === 'info' ? 'warn' : cfg.log.level }),
  );
  try {
    return await work(infra);
  } finally {
    await infra.close();
  }
}

/**
 * What commander refuses itself (an unknown command or option, a value a parser rejects, a missing
 * argument) is a usage error like ours: exit 64, so a script tells it from `audit`'s 1 (drift). Help exits 0.
 * Every command inherits this, since each is made from `program` after it is set.
 */
function commanderExit(error: CommanderError): never {
  process.exit(error.exitCode === 0 ? 0 : EX_USAGE);
}

const program = new Command('invoice-finance-sync')
  .description('Pushes ingested cloud invoices to finance, announces each push, records it in PostgreSQL.')
  .exitOverride(commanderExit)
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true })
  .addHelpText(
    'after',
    '\nConfiguration: environment variables only, read by every command; `start --help` lists them.',
  );

program
  .command('start')
  .description('run the consumers (both by default) with /healthz, /readyz and /metrics')
  .addOption(new Option('--only <role>', 'run one consumer group only').choices(['pusher', 'recorder']))
  .addHelpText('after', () => renderEnvHelp())
  .action(async (options: { only?: 'pusher' | 'recorder' }) => {
    const roles = { pusher: options.only !== 'recorder', recorder: options.only !== 'pusher' };
    const cfg = config();
    sizeHeapInPlace(cfg.heapMib);
    await startCommand(cfg, roles);
  });

program
  .command('migrate')
  .description('apply pending database migrations (migrations/) and exit')
  .action(async () => {
    const { database } = config();
    const applied = await runMigrations(database.url, database.tls);
    console.log(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
  });

program
  .command('schemas')
  .description('register schemas/*.avsc under <topic>-value with BACKWARD compatibility and print their ids')
  .action(async () => {
    const ids = await withInfrastructure(async (infra) => infra.schemaIds);
    console.log(JSON.stringify(ids));
  });

program
  .command('ingest')
  .description(
    'publish InvoiceLinesIngested from a DigitalOcean invoice CSV (stands in for the upstream ingest)',
  )
  .requiredOption(
    '--csv <file>',
    'CSV export: product,group_description,description,hours,start,end,USD,project_name,category',
  )
  .requiredOption('--invoice-id <id>', 'provider invoice id (finance external_id)')
  .requiredOption('--period <yyyy-mm>', 'billed month, e.g. 2026-04')
  .option('--provider <id>', 'provider id (finance source)', 'digitalocean')
  .option('--tenant <id>', 'owning tenant', 'platform-admin')
  .option('--currency <code>', 'ISO 4217 currency', 'USD')
  .option('--issued-at <iso>', 'invoice issue time, e.g. 2026-05-01T00:00:00Z')
  .option('--total-minor <n>', 'stated total in minor units (default: the sum of the lines)', parseInteger)
  .action(async (options) => {
    const event = readIngestEvent(options); // a bad CSV fails here, before anything is opened
    await withInfrastructure((infra) => publishLinesIngested(infra, event));
    console.log(
      JSON.stringify({ event_id: event.event_id, lines: event.lines.length, total_minor: event.total_minor }),
    );
  });

program
  .command('replay')
  .description(
    're-push a range of the lines-ingested topic to finance regardless of recorded state, newest version per key; never moves the pusher group',
  )
  .option('--partition <n>', 'partition(s) to read, repeatable or comma list (default: all)', parsePartitions)
  .option('--from-offset <n>', 'first offset to read (in each chosen partition)', parseOffset)
  .option('--to-offset <n>', 'last offset to read, inclusive (in each chosen partition)', parseOffset)
  .option('--from-time <iso>', 'first record time to read, e.g. 2026-05-01T00:00:00Z', parseTime)
  .option('--to-time <iso>', 'last record time to read (inclusive)', parseTime)
  .option('--key <key>', 'only records with this key, e.g. platform-admin:digitalocean:INV-1')
  .option('--max-in-flight <n>', 'pushes in flight at most (default: PUSHER_MAX_IN_FLIGHT)', parsePositive)
  .option('--rate <per-second>', 'pushes started per second at most', parsePositive)
  .option('--include-superseded', 'also push events a newer event of the same key supersedes', false)
  .option('--checkpoint <file>', 'save where to resume to this file, as the run goes and when it stops')
  .option('--resume <file>', 'continue the run a checkpoint file describes (its range, key and filter)')
  .option('--dry-run', 'list what would be pushed, push nothing', false)
  .option('--json', 'print each event of the run (range, records, progress, end) as one JSON line', false)
  .action(
    reportingUsageErrors(async (options) => {
      // SIGINT stops admitting records; pushes in flight finish, then where to resume is printed.
      const interrupt = new AbortController();
      process.once('SIGINT', () => interrupt.abort());
      const replay = { ...options, partitions: options.partition, signal: interrupt.signal };
      // A dry run reads only: no database, no topic, no schema is created, and PostgreSQL may be down.
      const summary = options.dryRun
        ? await withReadOnlyInfrastructure((infra) => replayCommand(infra, replay))
        : await withInfrastructure((infra) => replayCommand(infra, replay));
      if (summary.interrupted) process.exitCode = 130; // 128 + SIGINT, as shells report it
    }),
  );

program
  .command('audit')
  .description(
    'reconcile cloud_invoices with the newest ingested version of every invoice: never pushed, pushed but not recorded, stale, recorded without event; exit 1 while drift is left',
  )
  .option(
    '--since <time>',
    'invoices whose newest version was ingested at or after this time, e.g. 2026-05-01T00:00:00Z',
  )
  .option('--period <yyyy-mm>', 'invoices of this billed month, e.g. 2026-04')
  .option('--json', 'print the report as one JSON object', false)
  .option('--repair', 're-push never pushed and stale invoices, record pushed but unrecorded ones', false)
  .action(
    reportingUsageErrors(
      async (options: { since?: string; period?: string; json: boolean; repair: boolean }) => {
        const selection = parseSelection(options); // a bad value fails here, before anything is opened
        await withInfrastructure((infra) => auditCommand(infra, { ...options, selection }));
      },
    ),
  );

const dlq = program
  .command('dlq')
  .description('inspect the dead-letter topic and send dead letters back to their source topic');

dlq
  .command('list')
  .description('one line per dead letter: position, time, source, key, error code, reason')
  .option('--topic <topic>', 'dead-letter topic (default: TOPIC_LINES_INGESTED_DLQ)')
  .option('--limit <n>', 'only the newest n (reads no older ones)', parsePositive)
  .option('--json', 'print JSON', false)
  .action(
    reportingUsageErrors(async (options) => {
      await withReadOnlyInfrastructure((infra) => dlqList(infra, options));
    }),
  );

dlq
  .command('show')
  .description('one dead letter in full: headers, key, and its value decoded where possible')
  .argument('<position>', '<partition>:<offset>, or <offset> of partition 0', parseCoordinates)
  .option('--topic <topic>', 'dead-letter topic (default: TOPIC_LINES_INGESTED_DLQ)')
  .action(
    reportingUsageErrors(async (position, options) => {
      await withReadOnlyInfrastructure((infra) => dlqShow(infra, { ...position, topic: options.topic }));
    }),
  );

dlq
  .command('redrive')
  .description(
    'send dead letters back to their configured source topic and partition (original bytes); skips ones redriven before, or whose headers name another topic or no partition of it',
  )
  .option('--offset <position>', '<partition>:<offset> of a dead letter, repeatable', collectCoordinates)
  .option('--all', 'every dead letter in the topic', false)
  .option('--force', 'also send dead letters that were redriven before', false)
  .option(
    '--topic <topic>',
    'TOPIC_LINES_INGESTED_DLQ (the default; back to TOPIC_LINES_INGESTED) or TOPIC_PUSHED_TO_FINANCE_DLQ (back to TOPIC_PUSHED_TO_FINANCE)',
  )
  .action(
    reportingUsageErrors(async (options) => {
      await withInfrastructure((infra) => dlqRedrive(infra, { ...options, offsets: options.offset }));
    }),
  );

const tenants = program
  .command('tenants')
  .description(
    'pause and resume one tenant’s pushes (for every pusher instance, across restarts), list the paused',
  );

tenants
  .command('pause')
  .description(
    'hold the tenant’s events, in order and losing none, until it is resumed; other tenants flow on',
  )
  .argument('<tenant>', 'tenant id', parseTenant)
  .option('--reason <text>', 'why, shown in `tenants list` and the console', parseReason)
  .action(
    reportingUsageErrors(async (tenant: string, options: { reason?: string }) => {
      await withInfrastructure((infra) => tenantsPause(infra, tenant, options));
    }),
  );

tenants
  .command('resume')
  .description('let the tenant’s held events go on, in order')
  .argument('<tenant>', 'tenant id', parseTenant)
  .action(
    reportingUsageErrors(async (tenant: string) => {
      await withInfrastructure((infra) => tenantsResume(infra, tenant));
    }),
  );

tenants
  .command('list')
  .description('the paused tenants: who paused each, when and why')
  .option('--json', 'print JSON', false)
  .action(
    reportingUsageErrors(async (options: { json: boolean }) => {
      await withInfrastructure((infra) => tenantsList(infra, options));
    }),
  );

program.parseAsync().catch(fail);
