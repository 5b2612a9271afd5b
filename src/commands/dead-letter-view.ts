import type { IHeaders } from 'kafkajs';
import type { RangeRecord } from '../adapters/kafka/topic-range-reader.ts';
import { DLQ_HEADER } from '../core/dead-letter-headers.ts';

/**
 * A dead letter as the `dlq` commands see it: where it sits, where it came from and why. Pure:
 * built from the record the reader hands over, no I/O.
 */
export interface DeadLetterView {
  topic: string;
  partition: number;
  offset: string;
  /** Epoch milliseconds of the failure (the reason header), else of the dead-letter record. */
  failedAt: number;
  key: string | null;
  /** The key as received, for sending back byte for byte. */
  keyBytes: Buffer | null;
  value: Buffer | null;
  /** Every header as UTF-8 text, for reading. */
  headers: Record<string, string>;
  /** Every header as received, for sending back byte for byte. */
  rawHeaders: IHeaders;
  source: { topic: string; partition: number; offset: string } | undefined;
  errorCode: string;
  reason: string;
}

const CONNECT_ERRORS_PREFIX = '__connect.errors.';
const REASON_WIDTH = 100; // characters of the exception message a list line shows

export function deadLetterView(record: RangeRecord): DeadLetterView {
  const headers = headerText(record.message.headers);
  const sourceTopic = headers[DLQ_HEADER.topic];
  const failedAt = Number(headers[DLQ_HEADER.timestamp] ?? record.message.timestamp);
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    failedAt: Number.isFinite(failedAt) ? failedAt : Number(record.message.timestamp),
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
            partition: Number(headers[DLQ_HEADER.partition]),
            offset: headers[DLQ_HEADER.offset] ?? '?',
          },
    errorCode: headers[DLQ_HEADER.errorCode] ?? 'UNKNOWN',
    reason: headers[DLQ_HEADER.exceptionMessage] ?? '(no reason header)',
  };
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    // Kafka allows a header name more than once; kafkajs then gives an array.
    text[name] = (Array.isArray(value) ? value : [value]).map((v) => v.toString()).join(', ');
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

export function sourceText(view: DeadLetterView): string {
  return view.source ? `${view.source.topic} ${view.source.partition}:${view.source.offset}` : '(no source)';
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
    new Date(view.failedAt).toISOString(),
    `from ${sourceText(view)}`,
    view.key ?? '(no key)',
    view.errorCode,
    truncate(view.reason, REASON_WIDTH) + (again ? ` (redriven from ${again})` : ''),
  ].join('  ');
}

/** One `dlq list --json` entry. */
export function listEntry(view: DeadLetterView) {
  return {
    partition: view.partition,
    offset: view.offset,
    failed_at: new Date(view.failedAt).toISOString(),
    source: view.source ?? null,
    key: view.key,
    error_code: view.errorCode,
    reason: view.reason,
    redriven_from: view.headers[DLQ_HEADER.redrivenFrom] ?? null,
  };
}
