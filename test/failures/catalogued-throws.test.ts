import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/**
 * What `src/` may construct at a throw: the catalogue's SyncError (a code, a failure class, the
 * facts), UsageError (operator input: one line, exit 64), and commander's InvalidArgumentError, which
 * commander and the console turn into one line naming the option and what it expected. Anything else
 * (Error, TypeError, RangeError…) would reach the failure policy as `UNEXPECTED` and the CLI as a stack.
 */
const ALLOWED = new Set(['SyncError', 'UsageError', 'InvalidArgumentError']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `file:line: statement` of each throw that builds something outside the catalogue in place. */
function uncataloguedThrows(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        const code = text.trim();
        if (code.startsWith('//') || code.startsWith('*')) return;
        const built = /\bthrow\s+new\s+([\w.]+)/.exec(code)?.[1];
        const literal = /\bthrow\s+(Object\.assign\(|['"`{[]|\d)/.test(code);
        if ((built !== undefined && !ALLOWED.has(built)) || literal) {
          found.push(`src/${relative(SRC, file)}:${index + 1}: ${code}`);
        }
      });
  }
  return found;
}

describe('throws in src/', () => {
  it('build only catalogued errors (SyncError with a code) or operator usage errors', () => {
    expect(uncataloguedThrows()).toEqual([]);
  });

  it('are found by the scan at all (it sees the SyncErrors of the CSV reader)', () => {
    const csvReader = readFileSync(join(SRC, 'ingest/digitalocean-csv.ts'), 'utf8');
    expect(csvReader).toMatch(/\bthrow\s+invalidCsv\(/);
    expect(sourceFiles(SRC).length).toBeGreaterThan(50);
  });
});
