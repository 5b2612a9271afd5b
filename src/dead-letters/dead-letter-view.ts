import type { IHeaders } from 'kafkajs';
import type { RangeRecord } from '../platform/kafka/topic-range-reader.ts';
import { DLQ_HEADER } from './dead-letter-headers.ts';
import { epochMillis, isoTime, printable, printableLine } from './display-text.ts';

/**
 * A dead letter as the `dlq` commands see it: where it sits, where it came from and why. Pure:
 * built from the record the reader hands over, no I/O. Its headers are whatever the producer wrote
 * (any bytes, any size): every text field here is printable and bounded, and building it never throws.
 */
export interface DeadLetterView {
  topic: string;
  partition: number;
  offset: string;
  /**
   * Epoch milliseconds of the failure (the reason header), else of the dead-letter record, else 0:
   * always a time a Date can hold, whatever the headers say.
   */
  failedAt: number;
  key: string | null;
  /** The key as received, for sending back byte for byte. */
  keyBytes: Buffer | null;
  value: Buffer | null;
  /** Every header as UTF-8 text for reading: unprintable characters escaped, long values cut. */
  headers: Record<string, string>;
  /** Every header as received, for sending back byte for byte. */
  rawHeaders: IHeaders;
  /**
   * What the headers say the source was, as text for reading; `partition` is null unless its header
   * is a plain partition number (0 to 2^31 - 1).
   */
  source: { topic: string; partition: number | null; offset: string } | undefined;
  errorCode: string;
  reason: string;
}

const CONNECT_ERRORS_PREFIX = '__connect.errors.';
const REASON_WIDTH = 100; // characters of the exception message a list line shows

export function deadLetterView(record: RangeRecord): DeadLetterView {
  const headers = headerText(record.message.headers);
  const sourceTopic = headers[DLQ_HEADER.topic];
  const failedAt =
    epochMillis(headers[DLQ_HEADER.timestamp]) ?? epochMillis(String(record.message.timestamp)) ?? 0;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    failedAt,
    key: record.message.key?.toString('utf8') ?? null,
    keyBytes: record.message.key,
    value: record.message.value,
    headers,
    rawHeaders: record.message.headers ?? {},
    source:
      sourceTopic === undefined
        ? undefined
        : {
            topic: sourceTopic,
            partition: partitionNumber(headers[DLQ_HEADER.partition]),
            offset: headers[DLQ_HEADER.offset] ?? '?',
          },
    errorCode: headers[DLQ_HEADER.errorCode] ?? 'UNKNOWN',
    reason: headers[DLQ_HEADER.exceptionMessage] ?? '(no reason header)',
  };
}

const MAX_PARTITION = 2_147_483_647; // Kafka partitions are int32

/** A partition header's number, only when it is plainly one: `1e0`, `0x1`, ` 1`, `-1` and `` are not. */
export function partitionNumber(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return null;
  const n = Number(text);
  return n <= MAX_PARTITION ? n : null;
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  // No prototype: a header named `__proto__` or `constructor` is just a header.
  const text: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    // Kafka allows a header name more than once; kafkajs then gives an array.
    const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined && v !== null);
    text[printableLine(name, 256)] = printable(values.map((v) => v.toString()).join(', '));
  }
  return text;
}

/** `<dlq topic>/<partition>/<offset>`: what `redrivenFrom` records on the copy sent back. */
export function deadLetterId(view: Pick<DeadLetterView, 'topic' | 'partition' | 'offset'>): string {
  return `${view.topic}/${view.partition}/${view.offset}`;
}

/**
 * Headers of the copy sent back to the source topic: the original record's own headers, without
 * the `__connect.errors.*` reason (it would claim the copy had already failed), plus where it came
 * from. A dead letter of an earlier redrive carries an older `redrivenFrom`: it is replaced.
 */
export function redriveHeaders(view: DeadLetterView): IHeaders {
  const kept = Object.entries(view.rawHeaders).filter(
    ([name]) => !name.startsWith(CONNECT_ERRORS_PREFIX) && name !== DLQ_HEADER.redrivenFrom,
  );
  return { ...Object.fromEntries(kept), [DLQ_HEADER.redrivenFrom]: deadLetterId(view) };
}

/** `topic partition:offset` as the headers say, on one line (an unreadable partition as its text). */
export function sourceText(view: DeadLetterView): string {
  if (!view.source) return '(no source)';
  const partition = view.source.partition ?? view.headers[DLQ_HEADER.partition] ?? '?';
  return printableLine(`${view.source.topic} ${partition}:${view.source.offset}`, 600);
}

function truncate(text: string, width: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length <= width ? oneLine : `${oneLine.slice(0, width - 1)}…`;
}

/** One `dlq list` line: where, when, from where, which key, which code, why. */
export function listLine(view: DeadLetterView): string {
  const again = view.headers[DLQ_HEADER.redrivenFrom];
  return [
    `${view.partition}:${view.offset}`,
    isoTime(view.failedAt),
    `from ${sourceText(view)}`,
    view.key === null ? '(no key)' : printableLine(view.key, 300),
    printableLine(view.errorCode, 100),
    truncate(view.reason, REASON_WIDTH) + (again ? ` (redriven from ${printableLine(again, 300)})` : ''),
  ].join('  ');
}

/** One `dlq list --json` entry. */
export function listEntry(view: DeadLetterView) {
  return {
    partition: view.partition,
    offset: view.offset,
    failed_at: isoTime(view.failedAt),
    source: view.source ?? null,
    key: view.key,
    error_code: view.errorCode,
    reason: view.reason,
    redriven_from: view.headers[DLQ_HEADER.redrivenFrom] ?? null,
  };
}
