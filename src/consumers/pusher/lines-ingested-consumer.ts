import type { AvroCodec } from '../../adapters/kafka/avro-codec.ts';
import type { DurableSender } from '../../adapters/kafka/kafka-client.ts';
import { requireRecordSize } from '../../core/event-limits.ts';
import { requireValidIdentifiers } from '../../core/invoice-identity.ts';
import { requireKeyMatches } from '../../core/record-key.ts';
import type { Contracts } from '../../events/contracts.ts';
import type { RecordHandler } from '../batch-processor.ts';
import { deadLetter } from '../dead-letter.ts';
import type { InvoicePusher } from './invoice-pusher.ts';

export interface LinesIngestedHandlerDeps {
  codec: AvroCodec;
  contracts: Contracts;
  pusher: InvoicePusher;
  sender: DurableSender;
  deadLetterTopic: string;
  /** EVENT_MAX_BYTES: larger values are dead-lettered without being decoded. */
  maxEventBytes: number;
}

/**
 * The pusher's entry point, like an HTTP route: bound, decode, check, delegate; bad events are
 * dead-lettered. Everything here is decided from the record alone, before the skip check's database
 * read and before finance (the pusher checks the line count, then the invoice).
 */
export function linesIngestedHandler(deps: LinesIngestedHandlerDeps): RecordHandler {
  return {
    async handle(record) {
      requireRecordSize(record.message.value, deps.maxEventBytes);
      const event = await deps.codec.decode(record.message.value, deps.contracts.linesIngested);
      requireValidIdentifiers(event);
      const log = record.log.child({ event_id: event.event_id });
      requireKeyMatches(record.message.key === null ? null : record.key, event);
      await deps.pusher.push(event, log, { force: false, signal: record.signal });
    },
    deadLetter: (record, error) => deadLetter(deps.sender, deps.deadLetterTopic, record, error),
  };
}
