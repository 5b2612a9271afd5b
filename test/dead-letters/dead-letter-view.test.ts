import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { formatDetails } from '../../src/dead-letters/dead-letter-details.ts';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import {
  deadLetterView,
  listEntry,
  listLine,
  redriveHeaders,
  sourceText,
} from '../../src/dead-letters/dead-letter-view.ts';
import { MAX_SHOWN_CHARACTERS } from '../../src/dead-letters/display-text.ts';
import { recordBadInput } from '../helpers/bad-input.ts';

function deadLetter(
  headers: KafkaMessage['headers'],
  record: { key?: Buffer | null; timestamp?: string } = {},
) {
  const message = {
    key: record.key === undefined ? Buffer.from('platform-admin:digitalocean:INV-1') : record.key,
    value: Buffer.from([0, 0, 0, 0, 7, 1]),
    timestamp: record.timestamp ?? '1777600000000',
    attributes: 0,
    offset: '4',
    headers,
  } as KafkaMessage;
  return deadLetterView({ topic: 'invoice.lines_ingested.dlq', partition: 2, offset: '4', message });
}

const reasonHeaders = {
  traceparent: Buffer.from('00-abc-def-01'),
  [DLQ_HEADER.topic]: Buffer.from('invoice.lines_ingested'),
  [DLQ_HEADER.partition]: Buffer.from('1'),
  [DLQ_HEADER.offset]: Buffer.from('17'),
  [DLQ_HEADER.exceptionMessage]: Buffer.from(`lines sum to 8692 but total_minor is 8700 ${'x'.repeat(200)}`),
  [DLQ_HEADER.timestamp]: Buffer.from('1777650000000'),
  [DLQ_HEADER.errorCode]: Buffer.from('INVOICE_TOTAL_MISMATCH'),
};

describe('dead-letter view', () => {
  it('reads source coordinates, code, reason and failure time from the Kafka Connect headers', () => {
    expect(deadLetter(reasonHeaders)).toMatchObject({
      source: { topic: 'invoice.lines_ingested', partition: 1, offset: '17' },
      errorCode: 'INVOICE_TOTAL_MISMATCH',
      failedAt: 1777650000000,
      key: 'platform-admin:digitalocean:INV-1',
    });
  });

  it('lists one short line: position, time, source, key, code, reason cut at 100 characters', () => {
    const line = listLine(deadLetter(reasonHeaders));
    expect(line).toMatch(
      /^2:4 {2}2026-05-01T15:40:00.000Z {2}from invoice.lines_ingested 1:17 {2}platform-admin:digitalocean:INV-1 {2}INVOICE_TOTAL_MISMATCH {2}lines sum to 8692/,
    );
    expect(line.endsWith('x…')).toBe(true);
  });

  it('copes with a record that has no dead-letter headers at all', () => {
    expect(deadLetter({})).toMatchObject({
      source: undefined,
      errorCode: 'UNKNOWN',
      failedAt: 1777600000000,
    });
  });

  it('sends back the original headers without the reason, marked with where it came from', () => {
    const again = {
      ...reasonHeaders,
      [DLQ_HEADER.redrivenFrom]: Buffer.from('invoice.lines_ingested.dlq/0/1'),
    };
    expect(redriveHeaders(deadLetter(again))).toEqual({
      traceparent: reasonHeaders.traceparent,
      [DLQ_HEADER.redrivenFrom]: 'invoice.lines_ingested.dlq/2/4',
    });
  });

  it('shows absurd header values as text: a timestamp no Date holds, negative offsets, a partition that is no number', () => {
    const view = deadLetter({
      ...reasonHeaders,
      [DLQ_HEADER.timestamp]: Buffer.from('99999999999999999999'),
      [DLQ_HEADER.partition]: Buffer.from('-1'),
      [DLQ_HEADER.offset]: Buffer.from('-5'),
      [DLQ_HEADER.errorCode]: Buffer.from('\u001b[2J\u001b[31mOK'),
    });
    expect(view.failedAt).toBe(1777600000000); // the record's own time
    expect(view.source).toEqual({ topic: 'invoice.lines_ingested', partition: null, offset: '-5' });
    expect(sourceText(view)).toBe('invoice.lines_ingested -1:-5');
    const line = listLine(view);
    expect(line).toContain('2026-05-01T01:46:40.000Z  from invoice.lines_ingested -1:-5');
    expect(line).toContain('\\u001b[2J\\u001b[31mOK');
    expect(listEntry(view).failed_at).toBe('2026-05-01T01:46:40.000Z');
    expect(formatDetails(view, { decoded: false, reason: 'not Avro' })).toContain(
      'failed 2026-05-01T01:46:40.000Z',
    );
    // Neither time readable: the epoch, not a RangeError.
    expect(
      listEntry(deadLetter({ [DLQ_HEADER.timestamp]: Buffer.from('1e400') }, { timestamp: '-' })).failed_at,
    ).toBe('1970-01-01T00:00:00.000Z');
  });

  it('cuts a huge header value, saying how much was left out', () => {
    const view = deadLetter({ [DLQ_HEADER.exceptionMessage]: Buffer.from('y'.repeat(1_000_000)) });
    expect(view.reason).toBe(
      `${'y'.repeat(MAX_SHOWN_CHARACTERS)}… (${1_000_000 - MAX_SHOWN_CHARACTERS} more characters)`,
    );
  });
});

// Header values as a producer may write them: any bytes, any text, numbers no Date or int holds.
const absurdText = fc.constantFrom(
  '99999999999999999999',
  '-99999999999999999999',
  '8640000000000001',
  '-1',
  '-0',
  '1e400',
  'NaN',
  'Infinity',
  '0x10',
  '',
  ' 1',
  '１２',
  '2147483648',
  '\u0000',
  '\u001b]0;pwned\u0007',
  '\u202eevil',
  'y'.repeat(20_000),
);
const headerBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'binary', maxLength: 64 }).map((text) => Buffer.from(text)),
  absurdText.map((text) => Buffer.from(text)),
  fc.bigInt().map((n) => Buffer.from(String(n))),
);
const headerValue = fc.oneof(headerBytes, fc.array(headerBytes, { maxLength: 3 }), fc.constant(undefined));
const headerName = fc.oneof(
  fc.constantFrom(...Object.values(DLQ_HEADER), '__proto__', 'constructor', 'toString'),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const headerMap = fc.dictionary(headerName, headerValue, { maxKeys: 12 });
const recordTimestamp = fc.oneof(absurdText, fc.bigInt().map(String), fc.string({ maxLength: 12 }));
const recordKey = fc.option(
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  { nil: null },
);

// Unprintable characters the views escape (newline aside: a stack trace keeps its lines in `show`).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not show
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
const VIEW_FUZZ_RUNS = 2_000;

describe('dead-letter view of arbitrary headers', () => {
  it(`never throws and yields printable, bounded strings (${VIEW_FUZZ_RUNS} header maps)`, () => {
    fc.assert(
      fc.property(headerMap, recordTimestamp, recordKey, (headers, timestamp, key) => {
        const view = deadLetter(headers as KafkaMessage['headers'], { timestamp, key });
        expect(Number.isFinite(new Date(view.failedAt).getTime())).toBe(true);
        for (const [name, text] of Object.entries(view.headers)) {
          expect(typeof text).toBe('string');
          expect(text.length).toBeLessThanOrEqual(MAX_SHOWN_CHARACTERS + 40);
          expect(UNPRINTABLE.test(name + text)).toBe(false);
        }
        const line = listLine(view);
        expect(typeof line).toBe('string');
        expect(UNPRINTABLE.test(line) || line.includes('\n')).toBe(false);
        const entry = listEntry(view);
        expect(entry.failed_at).toMatch(/^[-+]?\d{4,6}-\d\d-\d\dT/);
        expect(typeof JSON.stringify(entry)).toBe('string');
        const details = formatDetails(view, { decoded: false, reason: 'not Avro' });
        expect(UNPRINTABLE.test(details)).toBe(false);
        expect(
          details
            .split('\n')
            .filter((l) => /^\S/.test(l))
            .map((l) => l.slice(0, 12)),
        ).toEqual([
          'dead letter ',
          'source      ',
          'error       ',
          'reason      ',
          'key         ',
          'headers',
          'value       ',
        ]);
        expect(view.source?.partition ?? 0).toSatisfy(Number.isSafeInteger);
      }),
      { numRuns: VIEW_FUZZ_RUNS },
    );
    recordBadInput('operator-dead-letter-headers', {
      surface: 'operator input: dead-letter headers',
      inputs: VIEW_FUZZ_RUNS,
      crashes: 0,
      stalls: 0,
      lost: 0,
      what: 'arbitrary header maps and record timestamps (absurd times, offsets, partitions, control characters, huge values) shown by dlq list/show and the console: always printable, bounded text',
    });
  });
});
