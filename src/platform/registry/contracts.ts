import type { InvoiceLinesIngested, InvoicePushedToFinance } from '../../invoice/invoice-events.ts';
import type { AvroCodec, AvroContract } from './avro-codec.ts';
import { loadContract } from './avro-codec.ts';

/** The two event contracts, read once from schemas/*.avsc. */
export interface Contracts {
  linesIngested: AvroContract<InvoiceLinesIngested>;
  pushedToFinance: AvroContract<InvoicePushedToFinance>;
}

const SCHEMAS_DIR = new URL('../../../schemas/', import.meta.url);

export function loadContracts(): Contracts {
  return {
    linesIngested: loadContract<InvoiceLinesIngested>(new URL('InvoiceLinesIngested.avsc', SCHEMAS_DIR)),
    pushedToFinance: loadContract<InvoicePushedToFinance>(
      new URL('InvoicePushedToFinance.avsc', SCHEMAS_DIR),
    ),
  };
}

export interface SchemaIds {
  linesIngested: number;
  pushedToFinance: number;
}

/** Registers both schemas under TopicNameStrategy subjects (`<topic>-value`) with BACKWARD compatibility. */
export async function registerContracts(
  codec: AvroCodec,
  contracts: Contracts,
  topics: { linesIngested: string; pushedToFinance: string },
): Promise<SchemaIds> {
  return {
    linesIngested: await codec.register(topics.linesIngested, contracts.linesIngested),
    pushedToFinance: await codec.register(topics.pushedToFinance, contracts.pushedToFinance),
  };
}

/** The ids of schemas registered by someone else (REGISTER_SCHEMAS_ON_START=false). */
export async function lookupSchemaIds(
  codec: AvroCodec,
  topics: { linesIngested: string; pushedToFinance: string },
): Promise<SchemaIds> {
  return {
    linesIngested: await codec.latestId(topics.linesIngested),
    pushedToFinance: await codec.latestId(topics.pushedToFinance),
  };
}
