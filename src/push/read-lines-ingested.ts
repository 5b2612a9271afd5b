import { requireRecordSize } from '../invoice/event-limits.ts';
import type { InvoiceLinesIngested } from '../invoice/invoice-events.ts';
import { requireValidIdentifiers } from '../invoice/invoice-identity.ts';
import { requireKeyMatches } from '../invoice/record-key.ts';
import type { AvroCodec } from '../platform/registry/avro-codec.ts';
import type { Contracts } from '../platform/registry/contracts.ts';

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
