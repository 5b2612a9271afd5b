import type { InvoiceLinesIngested, InvoicePushedToFinance } from '../../invoice/invoice-events.ts';
import type { Logger } from '../../ops/logger.ts';
import type { AvroCodec, AvroContract } from './avro-codec.ts';
import { loadContract } from './avro-codec.ts';
import { leftUnanswered } from './registry-errors.ts';

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
  log?: Logger,
): Promise<SchemaIds> {
  return {
    linesIngested: await askedAgainIfUnanswered(
      () => codec.register(topics.linesIngested, contracts.linesIngested),
      log,
    ),
    pushedToFinance: await askedAgainIfUnanswered(
      () => codec.register(topics.pushedToFinance, contracts.pushedToFinance),
      log,
    ),
  };
}

/** The ids of schemas registered by someone else (REGISTER_SCHEMAS_ON_START=false). */
export async function lookupSchemaIds(
  codec: AvroCodec,
  topics: { linesIngested: string; pushedToFinance: string },
  log?: Logger,
): Promise<SchemaIds> {
  return {
    linesIngested: await askedAgainIfUnanswered(() => codec.latestId(topics.linesIngested), log),
    pushedToFinance: await askedAgainIfUnanswered(() => codec.latestId(topics.pushedToFinance), log),
  };
}

/**
 * Tries in all of a start-up request the registry took and left unanswered. A registry paused for
 * a while (a JVM collection, a loaded host) is alive: asking again beats failing start-up. A
 * refusal or an error answer is not asked again: it fails start-up at once, naming the cause.
 */
const UNANSWERED_TRIES = 3;

async function askedAgainIfUnanswered<T>(ask: () => Promise<T>, log?: Logger): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (error) {
      if (attempt >= UNANSWERED_TRIES || !leftUnanswered(error)) throw error;
      log?.warn(
        { err: error, attempt, tries: UNANSWERED_TRIES },
        'schema registry left a start-up request unanswered; asking again',
      );
    }
  }
}
