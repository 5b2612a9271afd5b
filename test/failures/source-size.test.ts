import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const MAX_FILE_LINES = 320; // "about 300": a file longer than this is asking to be split by responsibility

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('src/ stays in small files', () => {
  it(`has no file over ${MAX_FILE_LINES} lines (functions over 60 lines are Biome's noExcessiveLinesPerFunction)`, () => {
    const long = sources(SRC)
      .map((file) => [file.slice(SRC.length), readFileSync(file, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });
});
