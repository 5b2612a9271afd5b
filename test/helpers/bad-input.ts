import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BadInputFigures } from '../../tools/chaos/bad-input-report.ts';

export type { BadInputFigures };

/** How many inputs a bad-input fuzz tries: a short run in `npm test`, ten times more with FUZZ_SCALE=full. */
export function fuzzScale(): { name: 'ci' | 'full'; factor: number } {
  return process.env.FUZZ_SCALE === 'full' ? { name: 'full', factor: 10 } : { name: 'ci', factor: 1 };
}

/** Writes a fuzz run's figures to .chaos/bad-input/<scale>/<name>.json for `node tools/chaos/bad-input-report.ts`. */
export function recordBadInput(name: string, figures: BadInputFigures): void {
  const dir = fileURLToPath(new URL(`../../.chaos/bad-input/${fuzzScale().name}/`, import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}${name}.json`,
    `${JSON.stringify({ ...figures, at: new Date().toISOString() }, null, 2)}\n`,
  );
}
