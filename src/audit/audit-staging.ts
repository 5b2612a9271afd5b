import type { KafkaMessage } from 'kafkajs';
import { codeOf } from '../failures/errors.ts';
import { daysToIsoDate } from '../invoice/calendar-date.ts';
import { requireLineCount, requireRecordSize } from '../invoice/event-limits.ts';
import { invoiceKey } from '../invoice/invoice-events.ts';
import { requireValidIdentifiers } from '../invoice/invoice-identity.ts';
import { parseInvoiceKey } from '../invoice/invoice-key.ts';
import { normalizeInvoice } from '../invoice/normalize-invoice.ts';
import { fetchPartitionBounds } from '../platform/kafka/partition-bounds.ts';
import { topicExists } from '../platform/kafka/topic-exists.ts';
import { type RangeRecord, readGroupPrefix, readRange } from '../platform/kafka/topic-range-reader.ts';
import type { Messaging } from '../platform/messaging.ts';
import { readLinesIngested } from '../push/read-lines-ingested.ts';
import type { AuditSql } from './audit-session.ts';
import { type IngestedRow, insertIngested, insertPushed, type PushedRow } from './audit-tables.ts';

/** Rows sent to PostgreSQL per statement: what Node holds at most of a topic. */
export const STAGING_BATCH_ROWS = 2_000;

export interface StagedCounts {
  ingested: number;
  pushed: number;
  /** pushed_to_finance records that are not a readable announcement (the topic is open to others). */
  unreadable_pushed: number;
}

/** Collects rows and sends them in batches; `add` waits while a full batch is written. */
class Batches<R> {
  readonly #rows: R[] = [];
  readonly #write: (rows: R[]) => Promise<unknown>;
  count = 0;

  constructor(write: (rows: R[]) => Promise<unknown>) {
    this.#write = write;
  }

  async add(row: R): Promise<void> {
    this.#rows.push(row);
    this.count += 1;
    if (this.#rows.length >= STAGING_BATCH_ROWS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#rows.length === 0) return;
    await this.#write(this.#rows.splice(0));
  }
}

/** Reads every record a topic holds now (its high watermarks at the start), in one throwaway group. */
async function readWholeTopic(
  infra: Messaging,
  topic: string,
  onRecord: (record: RangeRecord) => Promise<void>,
): Promise<void> {
  if (!(await topicExists(infra.kafka, topic))) return;
  const bounds = await fetchPartitionBounds(infra.kafka, topic, {});
  await readRange({
    kafka: infra.kafka,
    topic,
    ranges: bounds.map((b) => ({ partition: b.partition, start: b.low, end: b.high })),
    groupPrefix: readGroupPrefix(infra.config, 'audit'),
    log: infra.log,
    sessionTimeoutMs: infra.config.kafka.sessionTimeoutMs,
    onRecord,
  });
}

/** Stages both topics into the audit's tables, a batch at a time. */
export async function stageTopics(infra: Messaging, sql: AuditSql): Promise<StagedCounts> {
  const ingested = new Batches<IngestedRow>((rows) => insertIngested(sql, rows));
  await readWholeTopic(infra, infra.config.topics.linesIngested, async (record) =>
    ingested.add(await ingestedRow(infra, record)),
  );
  await ingested.flush();
  const pushed = new Batches<PushedRow>((rows) => insertPushed(sql, rows));
  let unreadable = 0;
  await readWholeTopic(infra, infra.config.topics.pushedToFinance, async (record) => {
    const row = await pushedRow(infra, record.message, record);
    if (row === undefined) unreadable += 1;
    else await pushed.add(row);
  });
  await pushed.flush();
  return { ingested: ingested.count, pushed: pushed.count, unreadable_pushed: unreadable };
}

/**
 * A lines_ingested record as the pusher sees it: read through its own reader (size, decode,
 * identifiers, key), held to its line limit and normalized by the same code, so the hash is the
 * sha256 of the very body it would send. What it would dead-letter keeps its error code instead.
 */
async function ingestedRow(infra: Messaging, record: RangeRecord): Promise<IngestedRow> {
  const { message } = record;
  const recordKey = message.key?.toString('utf8') ?? '';
  const base = {
    record_key: recordKey,
    part: record.partition,
    off: record.offset,
    appended_at: new Date(Number(message.timestamp)).toISOString(),
  };
  const { config } = infra;
  try {
    const event = await readLinesIngested(
      { codec: infra.codec, contracts: infra.contracts, maxEventBytes: config.events.maxBytes },
      message.value,
      message.key === null ? null : recordKey,
    );
    requireLineCount(event, invoiceKey(event), config.events.maxLines);
    const { sha256 } = normalizeInvoice(event, config.taxWords);
    return {
      ...base,
      ...identityOf(event),
      event_id: event.event_id,
      invoice_period: daysToIsoDate(event.invoice_period),
      payload_sha256: sha256,
      invalid_code: null,
    };
  } catch (error) {
    const identity = parseInvoiceKey(recordKey);
    return {
      ...base,
      tenant_id: identity?.tenant_id ?? null,
      provider: identity?.provider ?? null,
      provider_invoice_id: identity?.provider_invoice_id ?? null,
      event_id: null,
      invoice_period: null,
      payload_sha256: null,
      invalid_code: codeOf(error),
    };
  }
}

function identityOf(event: { tenant_id: string; provider: string; provider_invoice_id: string }) {
  return {
    tenant_id: event.tenant_id,
    provider: event.provider,
    provider_invoice_id: event.provider_invoice_id,
  };
}

/** An announcement as the recorder reads it (decoded, identifiers checked), or undefined. */
async function pushedRow(
  infra: Messaging,
  message: KafkaMessage,
  record: RangeRecord,
): Promise<PushedRow | undefined> {
  try {
    requireRecordSize(message.value, infra.config.events.maxBytes);
    const event = await infra.codec.decode(message.value, infra.contracts.pushedToFinance);
    requireValidIdentifiers(event);
    return {
      ...identityOf(event),
      part: record.partition,
      off: record.offset,
      event_id: event.event_id,
      invoice_period: daysToIsoDate(event.invoice_period),
      amount_gross_minor: event.amount_gross_minor,
      pushed_at: new Date(event.pushed_at).toISOString(),
      finance_invoice_id: event.finance_invoice_id,
      payload_sha256: event.payload_sha256,
    };
  } catch {
    return undefined; // the recorder dead-letters it; nothing of it can be recorded
  }
}
