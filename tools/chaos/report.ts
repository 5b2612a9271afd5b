/**
 * Renders the figures of the last reliability run as Markdown for RELIABILITY.md:
 *
 *   node tools/chaos/report.ts [full|ci]      (default full; reads .chaos/results/<scale>/*.json)
 *
 * Each scenario of test/reliability/ writes one JSON file there when it ends, pass or fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Phase {
  phase: string;
  ms: number;
  ok: number;
  notReady: number;
  unreachable: number;
  reasons: string[];
}

interface Report {
  scenario: string;
  scale: string;
  machine: string;
  startedAt: string;
  durationMs: number;
  readiness: Phase[];
  notes: Record<string, unknown>;
  violations: string[];
  figures: {
    invoices: number;
    financeRows: number;
    cloudInvoiceRows: number;
    lost: number;
    duplicateFinanceCalls: number;
    deadLettered: number;
    drainMs: number;
    financeRequests: number;
  };
}

const ORDER = [
  'kills-during-flow',
  'kills-with-backlog',
  'instance-lost',
  'finance-faults',
  'database-cut',
  'broker-restart',
  'poison-catalogue',
  'takeover',
];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function load(scale: string): Report[] {
  const dir = fileURLToPath(new URL(`../../.chaos/results/${scale}/`, import.meta.url));
  const reports = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Report);
  return reports.sort((a, b) => ORDER.indexOf(a.scenario) - ORDER.indexOf(b.scenario));
}

function figuresTable(reports: Report[]): string[] {
  const rows = reports.map(({ scenario, figures: f, durationMs, violations }) =>
    [
      scenario,
      f.invoices,
      f.financeRows,
      f.cloudInvoiceRows,
      f.lost,
      f.duplicateFinanceCalls,
      f.deadLettered,
      seconds(f.drainMs),
      seconds(durationMs),
      violations.length === 0 ? 'none' : violations.join('; '),
    ].join(' | '),
  );
  return [
    '| scenario | invoices | finance rows | cloud_invoices rows | lost | duplicate finance calls | dead-lettered | drain | run | violations |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ];
}

function readinessTable(reports: Report[]): string[] {
  const rows = reports.flatMap(({ scenario, readiness }) =>
    readiness.map((p) =>
      [scenario, p.phase, seconds(p.ms), p.ok, p.notReady, p.unreachable, p.reasons.join('; ') || '–'].join(
        ' | ',
      ),
    ),
  );
  return [
    '| scenario | phase | lasted | 200 | 503 | no answer | why not ready (samples) |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ];
}

interface Kill {
  process: string;
  atMs: number;
  wasStarted: boolean;
  financeInFlight: number;
}

/** The notes a scenario kept, in words where their shape is known. */
function describeNotes(notes: Record<string, unknown>): string {
  const {
    kinds,
    kills,
    killed,
    stopped,
    logs: _logs,
    ...rest
  } = notes as {
    kinds?: string[];
    kills?: Kill[];
    killed?: { takeoverMs: number };
    stopped?: { takeoverMs: number; exitMs: number };
    logs?: string;
  };
  const parts: string[] = [];
  if (kinds) parts.push(`${kinds.length} kinds of poison, each between valid invoices`);
  if (kills) {
    const starting = kills.filter((k) => !k.wasStarted).length;
    const inFlight = kills.filter((k) => k.financeInFlight > 0).length;
    parts.push(
      `${kills.length} kills (${starting} of a process still starting or joining, ${inFlight} with pushes in flight at finance)`,
    );
  }
  if (killed) parts.push(`SIGKILL → partitions consumed again after ${seconds(killed.takeoverMs)}`);
  if (stopped) {
    parts.push(
      `SIGTERM → after ${seconds(stopped.takeoverMs)} (the process took ${seconds(stopped.exitMs)} to exit)`,
    );
  }
  if (Object.keys(rest).length > 0) parts.push(`\`${JSON.stringify(rest)}\``);
  return parts.join('; ');
}

function main(): void {
  const scale = process.argv[2] ?? 'full';
  const reports = load(scale);
  if (reports.length === 0) throw new Error(`no results in .chaos/results/${scale}/: run the suite first`);
  const lines = [
    `Scale: ${scale}. Machine: ${reports[0]?.machine}. Run started ${reports[0]?.startedAt}.`,
    '',
    ...figuresTable(reports),
    '',
    ...readinessTable(reports),
    '',
    'Notes per scenario:',
    '',
    ...reports.map((r) => `- ${r.scenario}: ${describeNotes(r.notes)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
