import { readFileSync } from 'node:fs';
import { SyncError } from '../failures/errors.ts';

// Why a file could not be read, in the words of `ls` rather than of libuv.
const READ_FAILURES: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
};

const NEWLINE = 0x0a;

/**
 * The text of an input file given on the command line. A file that cannot be read is
 * `INGEST_INPUT_MISSING`; one that is not UTF-8 is `INGEST_INPUT_INVALID` naming its first bad line,
 * instead of the replacement characters `readFileSync(path, 'utf8')` would silently put into
 * descriptions sent to finance.
 */
export function readIngestFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = String((error as NodeJS.ErrnoException).code);
    const reason = READ_FAILURES[code] ?? (error as Error).message;
    throw new SyncError('INGEST_INPUT_MISSING', `${path}: cannot read it (${reason})`, {
      details: { file: path, reason },
      cause: error,
    });
  }
  return decodeUtf8(bytes, path);
}

function decodeUtf8(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    const line = firstNonUtf8Line(bytes);
    const reason = 'not UTF-8 text; export the invoice again or save the file as UTF-8';
    throw new SyncError('INGEST_INPUT_INVALID', `${path}:${line}: ${reason}`, {
      details: { file: path, line, reason },
      cause: error,
    });
  }
}

/** 1-based. A newline byte never occurs inside a UTF-8 sequence, so each line decodes on its own. */
function firstNonUtf8Line(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    if (newline === -1) break;
    start = newline + 1;
    line++;
  }
  return line;
}
