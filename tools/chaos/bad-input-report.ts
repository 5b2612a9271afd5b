/**
 * Renders the figures of the last bad-input fuzz run as Markdown for RELIABILITY.md's "Bad input" table:
 *
 *   node tools/chaos/bad-input-report.ts [ci|full]      (default ci; reads .chaos/bad-input/<scale>/*.json)
 *
 * Each fuzz test (HTTP requests to the ops port, events on the input topic, operator input) writes one
 * JSON file there when it passes (test/helpers/bad-input.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One fuzz run's figures, as test/helpers/bad-input.ts writes them. */
export interface BadInputFigures {
  /** e.g. `HTTP fuzz (ops port)`, `event fuzz`, `operator input` */
  surface: string;
  inputs: number;
  crashes: number;
  stalls: number;
  lost: number;
  /** What was tried, in a few words, for RELIABILITY.md's table. */
  what: string;
}

type Figures = BadInputFigures & { at: string };

function load(scale: string): Figures[] {
  const dir = fileURLToPath(new URL(`../../.chaos/bad-input/${scale}/`, import.meta.url));
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Figures);
}

function main(): void {
  const scale = process.argv[2] ?? 'ci';
  const runs = load(scale);
  if (runs.length === 0) {
    process.stderr.write(
      `no results in .chaos/bad-input/${scale}/: run the fuzz tests first (npm run fuzz)\n`,
    );
    process.exit(1);
  }
  const lines = [
    `Scale: ${scale}.`,
    '',
    '| surface | inputs tried | crashes | stalls | lost | what was tried |',
    '|---|---|---|---|---|---|',
    ...runs.map(
      (r) =>
        `| ${r.surface} | ${r.inputs.toLocaleString('en')} | ${r.crashes} | ${r.stalls} | ${r.lost} | ${r.what} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
