import type { RecordHandler } from '../consuming/batch-processor.ts';
import { deadLetter } from '../dead-letters/dead-letter.ts';
import { requireRecordSize } from '../invoice/event-limits.ts';
import type { InvoicePushedToFinance } from '../invoice/invoice-events.ts';
import { requireValidIdentifiers } from '../invoice/invoice-identity.ts';
import type { Metrics } from '../ops/metrics.ts';
import { annotate, inSpan } from '../ops/tracing.ts';
import type { DurableSender } from '../platform/kafka/kafka-client.ts';
import type { AvroCodec } from '../platform/registry/avro-codec.ts';
import type { Contracts } from '../platform/registry/contracts.ts';

export interface PushRecorder {
  /** Idempotent, monotonic upsert: 'stale' when a newer push is already recorded. */
  recordPush(event: InvoicePushedToFinance): Promise<'recorded' | 'stale'>;
}

export interface PushedToFinanceHandlerDeps {
  codec: AvroCodec;
  contracts: Contracts;
  recorder: PushRecorder;
  sender: DurableSender;
  deadLetterTopic: string;
  metrics: Metrics;
  /** EVENT_MAX_BYTES: larger values are dead-lettered without being decoded. */
  maxEventBytes: number;
}

/**
 * The recorder's entry point: decode the announcement, record the finance id in cloud_invoices. The
 * topic is open to other producers, so an announcement is held to the pusher's identifier rules
 * before its identity selects a row.
 */
export function pushedToFinanceHandler(deps: PushedToFinanceHandlerDeps): RecordHandler {
  return {
    async handle(record) {
      const event = await inSpan(`decode ${record.topic}`, {}, async () => {
        requireRecordSize(record.message.value, deps.maxEventBytes);
        const decoded = await deps.codec.decode(record.message.value, deps.contracts.pushedToFinance);
        requireValidIdentifiers(decoded);
        return decoded;
      });
      annotate({ 'invoice.tenant_id': event.tenant_id, 'invoice.event_id': event.event_id });
      const log = record.log.child({ event_id: event.event_id });
      const result = await deps.recorder.recordPush(event);
      annotate({ 'invoice.outcome': result });
      deps.metrics.events.inc({
        consumer: 'recorder',
        outcome: result === 'recorded' ? 'recorded' : 'stale_ignored',
      });
      log.info(
        {
          finance_invoice_id: event.finance_invoice_id,
          causation_event_id: event.causation_event_id,
          result,
        },
        result === 'recorded'
          ? 'recorded push in cloud_invoices'
          : 'ignored: a newer push is already recorded',
      );
    },
    deadLetter: (record, error) => deadLetter(deps.sender, deps.deadLetterTopic, record, error),
  };
}
