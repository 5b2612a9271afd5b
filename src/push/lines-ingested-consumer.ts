import type { RecordHandler } from '../consuming/batch-processor.ts';
import { deadLetter } from '../dead-letters/dead-letter.ts';
import { annotate, inSpan } from '../ops/tracing.ts';
import type { DurableSender } from '../platform/kafka/kafka-client.ts';
import type { InvoicePusher, PushOutcome } from './invoice-pusher.ts';
import { type LinesIngestedReader, readLinesIngested } from './read-lines-ingested.ts';

export interface LinesIngestedHandlerDeps extends LinesIngestedReader {
  pusher: InvoicePusher;
  sender: DurableSender;
  deadLetterTopic: string;
}

/**
 * The pusher's entry point, like an HTTP route: bound, decode, check, delegate; bad events are
 * dead-lettered. Everything here is decided from the record alone, before the skip check's database
 * read and before finance (the pusher checks the line count, then the invoice). `replay` pushes
 * through the same handler with `force` (no skip check), under the same attempt and failure policy.
 */
export function linesIngestedHandler(
  deps: LinesIngestedHandlerDeps,
  { force } = { force: false },
): RecordHandler<PushOutcome> {
  return {
    async handle(record) {
      const key = record.message.key === null ? null : record.key;
      const event = await inSpan(`decode ${record.topic}`, {}, () =>
        readLinesIngested(deps, record.message.value, key),
      );
      annotate({ 'invoice.tenant_id': event.tenant_id, 'invoice.event_id': event.event_id });
      const log = record.log.child({ event_id: event.event_id });
      return deps.pusher.push(event, log, { force, signal: record.signal });
    },
    deadLetter: (record, error) => deadLetter(deps.sender, deps.deadLetterTopic, record, error),
  };
}
