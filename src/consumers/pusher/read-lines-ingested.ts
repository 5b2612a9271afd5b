import type { AvroCodec } from '../../adapters/kafka/avro-codec.ts';
import { requireRecordSize } from '../../core/event-limits.ts';
import { requireValidIdentifiers } from '../../core/invoice-identity.ts';
import { requireKeyMatches } from '../../core/record-key.ts';
import type { Contracts } from '../../events/contracts.ts';
import type { InvoiceLinesIngested } from '../../events/invoice-events.ts';

export interface LinesIngestedReader {
  codec: AvroCodec;
  contracts: Contracts;
  /** EVENT_MAX_BYTES: larger values are refused without being decoded. */
  maxEventBytes: number;
}

/**
 * An `invoice.lines_ingested` record as an event, or the permanent reason it is none: bound, decode,
 * check the identifiers, check the key names this invoice. The consumer and `replay` (a run and a
 * dry run) read records through here, so they refuse exactly the same ones, before any network call.
 */
export async function readLinesIngested(
  reader: LinesIngestedReader,
  value: Buffer | null,
  key: string | null,
): Promise<InvoiceLinesIngested> {
  requireRecordSize(value, reader.maxEventBytes);
  const event = await reader.codec.decode(value, reader.contracts.linesIngested);
  requireValidIdentifiers(event);
  requireKeyMatches(key, event);
  return event;
}
