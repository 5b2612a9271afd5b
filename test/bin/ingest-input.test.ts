import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../bin/invoice-finance-sync.ts', import.meta.url));
const HEADER = 'product,group_description,description,hours,start,end,USD,project_name,category';
const PERIOD = '2026-04-01 00:00:00 +0000,2026-05-01 00:00:00 +0000';

const dir = mkdtempSync(join(tmpdir(), 'ingest-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csvFile(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/**
 * `ingest` with only PATH in the environment: no broker, registry or database is configured, so an
 * exit other than the input's own shows that the file was not checked before anything was opened.
 */
function ingest(csv: string) {
  const args = ['ingest', '--csv', csv, '--invoice-id', 'INV-BAD-CSV', '--period', '2026-04'];
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectOneLine(run: ReturnType<typeof ingest>, code: number, line: string): void {
  expect(run.stderr).toBe(`${line}\n`);
  expect(run.stderr).not.toMatch(/^\s+at /m); // no stack frame
  expect(run.stdout).toBe('');
  expect(run.code).toBe(code);
}

// Each case starts the CLI as a process (node loading every module): slow on a busy 2-core machine.
describe('ingest with a malformed CSV', { timeout: 60_000 }, () => {
  it('exits 65 naming the file, the line and the bad amount', () => {
    const path = csvFile(
      'amount.csv',
      `${HEADER}\nDroplets,,web-01,720,${PERIOD},6.00,,iaas\nDroplets,,web-02,720,${PERIOD},six,,iaas\n`,
    );
    expectOneLine(
      ingest(path),
      65,
      `invoice-finance-sync: INGEST_INPUT_INVALID: ${path}:3: column "USD": "six" is not a dollar amount like 12.34`,
    );
  });

  it('exits 65 naming the column missing from the header', () => {
    const path = csvFile('column.csv', `${HEADER.replace(',USD,', ',EUR,')}\n`);
    expectOneLine(
      ingest(path),
      65,
      `invoice-finance-sync: INGEST_INPUT_INVALID: ${path}:1: the header lacks column "USD"; found: ${HEADER.replace(',USD,', ',EUR,')}`,
    );
  });

  it('exits 65 naming the ragged row', () => {
    const path = csvFile('ragged.csv', `${HEADER}\nDroplets,,web-01,720,${PERIOD},6.00\n`);
    expectOneLine(
      ingest(path),
      65,
      `invoice-finance-sync: INGEST_INPUT_INVALID: ${path}:2: 7 fields, expected 9 as in the header`,
    );
  });

  it('exits 65 naming the first line that is not UTF-8', () => {
    const latin1 = Buffer.from(`${HEADER}\nDroplets,,caf\xe9,720,${PERIOD},6.00,,iaas\n`, 'latin1');
    const path = csvFile('latin1.csv', latin1);
    expectOneLine(
      ingest(path),
      65,
      `invoice-finance-sync: INGEST_INPUT_INVALID: ${path}:2: not UTF-8 text; export the invoice again or save the file as UTF-8`,
    );
  });

  it('exits 65 on an empty file, naming the header it expected', () => {
    const path = csvFile('empty.csv', '');
    expectOneLine(
      ingest(path),
      65,
      `invoice-finance-sync: INGEST_INPUT_INVALID: ${path}:1: empty: expected the header ${HEADER}`,
    );
  });

  it('exits 66 when the file does not exist', () => {
    const path = join(dir, 'absent.csv');
    expectOneLine(
      ingest(path),
      66,
      `invoice-finance-sync: INGEST_INPUT_MISSING: ${path}: cannot read it (no such file)`,
    );
  });
});
