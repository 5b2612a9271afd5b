import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readIngestFile } from '../../src/ingest/ingest-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingest-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const NOT_UTF8 = 'not UTF-8 text; export the invoice again or save the file as UTF-8';

describe('readIngestFile', () => {
  it('reads UTF-8 text as it is, accents and byte-order mark included', () => {
    const path = fileWith('utf8.csv', '\uFEFFproduct\nImpôt\n');
    expect(readIngestFile(path)).toBe('product\nImpôt\n');
  });

  it('refuses a Windows-1252 file, naming its first line that is not UTF-8', () => {
    // "Café" in Windows-1252 on line 3: 0xE9 alone is not a UTF-8 sequence.
    const bytes = Buffer.concat([
      Buffer.from('header\nok\nCaf'),
      Buffer.from([0xe9]),
      Buffer.from('\nmore\n'),
    ]);
    const path = fileWith('latin1.csv', bytes);
    expect(() => readIngestFile(path)).toThrow(
      expect.objectContaining({
        code: 'INGEST_INPUT_INVALID',
        message: `${path}:3: ${NOT_UTF8}`,
        details: { file: path, line: 3, reason: NOT_UTF8 },
      }),
    );
  });

  it('refuses a UTF-8 sequence cut off at the end of the file, on its last line', () => {
    const path = fileWith('cut.csv', Buffer.concat([Buffer.from('a\nb'), Buffer.from([0xc3])]));
    expect(() => readIngestFile(path)).toThrow(
      expect.objectContaining({ code: 'INGEST_INPUT_INVALID', message: `${path}:2: ${NOT_UTF8}` }),
    );
  });

  it('says a missing file does not exist', () => {
    const path = join(dir, 'absent.csv');
    expect(() => readIngestFile(path)).toThrow(
      expect.objectContaining({
        code: 'INGEST_INPUT_MISSING',
        message: `${path}: cannot read it (no such file)`,
        details: { file: path, reason: 'no such file' },
      }),
    );
  });

  it('says a directory is one', () => {
    expect(() => readIngestFile(dir)).toThrow(
      expect.objectContaining({
        code: 'INGEST_INPUT_MISSING',
        message: `${dir}: cannot read it (it is a directory)`,
      }),
    );
  });
});
