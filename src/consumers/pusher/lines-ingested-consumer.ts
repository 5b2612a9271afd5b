import type { AvroCodec } from '../../adapters/kafka/avro-codec.ts';
import type { DurableSender } from '../../adapters/kafka/kafka-client.ts';
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
}

/** The pusher's entry point, like an HTTP route: decode, check, delegate; bad events are dead-lettered. */
export function linesIngestedHandler(deps: LinesIngestedHandlerDeps): RecordHandler {
  return {
    async handle(record) {
      const event = await deps.codec.decode(record.message.value, deps.contracts.linesIngested);
      const log = record.log.child({ event_id: event.event_id });
      requireKeyMatches(record.message.key === null ? null : record.key, event);
      await deps.pusher.push(event, log, { force: false, signal: record.signal });
    },
    deadLetter: (record, error) => deadLetter(deps.sender, deps.deadLetterTopic, record, error),
  };
}
