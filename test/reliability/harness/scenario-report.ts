import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CheckResult } from './final-checks.ts';
import type { PhaseSummary } from './readiness-sampler.ts';
import type { Scale } from './scale.ts';
import { CHAOS_DIR, type Scenario } from './scenario.ts';

export interface ScenarioReport extends CheckResult {
  scenario: string;
  scale: Scale['name'];
  machine: string;
  startedAt: string;
  durationMs: number;
  readiness: PhaseSummary[];
  /** What the scenario did and measured beyond the common figures (kills, fault windows…). */
  notes: Record<string, unknown>;
}

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'cpu';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/**
 * Keeps a scenario's figures in `.chaos/results/<scale>/<scenario>.json` (what RELIABILITY.md is
 * written from: `node tools/chaos/report.ts <scale>`) and prints a one-line summary.
 */
export function recordReport(
  scenario: Scenario,
  scale: Scale,
  startedAt: number,
  result: CheckResult,
  notes: Record<string, unknown> = {},
): ScenarioReport {
  scenario.sampler.stop();
  const report: ScenarioReport = {
    scenario: scenario.name,
    scale: scale.name,
    machine: machine(),
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    readiness: scenario.sampler.summary(),
    notes: { ...notes, logs: scenario.logDir },
    ...result,
  };
  const dir = join(CHAOS_DIR, 'results', scale.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${scenario.name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  const f = result.figures;
  process.stderr.write(
    `[chaos] ${scenario.name} (${scale.name}): ${f.invoices} invoices, finance ${f.financeRows}, cloud_invoices ${f.cloudInvoiceRows}, lost ${f.lost}, duplicate calls ${f.duplicateFinanceCalls}, dead-lettered ${f.deadLettered}, drain ${(f.drainMs / 1000).toFixed(1)} s, ${result.violations.length} violations, ${(report.durationMs / 1000).toFixed(0)} s\n`,
  );
  return report;
}
