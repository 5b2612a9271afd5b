import { type DeadLetterView, deadLetterView } from '../dead-letters/dead-letter-view.ts';
import { messageOf } from '../failures/errors.ts';
import type { InvoicePushedToFinance } from '../invoice/invoice-events.ts';
import type { CloudInvoiceRow } from '../platform/database/cloud-invoice.repository.ts';
import { type KeyTail, readKeyTail } from '../platform/kafka/key-tail.ts';
import type { StopReason } from '../platform/kafka/read-budget.ts';
import { topicExists } from '../platform/kafka/topic-exists.ts';
import { readGroupPrefix } from '../platform/kafka/topic-range-reader.ts';
import type { PushNote } from '../push/push-observer.ts';
import { keyParts, type RecentPushes } from '../push/recent-pushes.ts';
import type { Infrastructure } from '../service/infrastructure.ts';

/** Everything the service holds about one invoice key; each source may fail on its own. */
export interface InvoiceHistory {
  key: string;
  recorded: CloudInvoiceRow | undefined;
  announced: { partition: number; offset: string; event: InvoicePushedToFinance }[];
  deadLetters: DeadLetterView[];
  /** Outcomes this process saw since it started (the only place skips are kept). */
  seen: PushNote[];
  /** Sources that could not be read, and why. */
  errors: { source: string; error: string }[];
  /** Topics whose search did not cover the key's whole partition, why, and how many records it read. */
  stoppedEarly?: { source: string; reason: StopReason; read: number }[];
  /** How many of the newest records of the key's partition each topic search covers (OPS_READ_MAX_RECORDS). */
  window?: number;
}

/**
 * How many records of the key's partition a search read before OPS_READ_MAX_RECORDS; kept for
 * pages that still show it, `InvoiceHistory.window` is the one in force.
 */
export const ANNOUNCEMENT_WINDOW = 5_000;

/**
 * Looks one invoice up in cloud_invoices, the announcements topic, the dead-letter topic and memory.
 * Both topics are keyed by the invoice key, so each search reads only the newest
 * OPS_READ_MAX_RECORDS records of the key's partition, within OPS_READ_TIMEOUT_MS; `stoppedEarly`
 * names a search that did not cover its whole partition.
 */
export async function invoiceHistory(
  infra: Infrastructure,
  recent: RecentPushes,
  key: string,
): Promise<InvoiceHistory> {
  const history: InvoiceHistory = {
    key,
    recorded: undefined,
    announced: [],
    deadLetters: [],
    seen: recent.list({ key }),
    errors: [],
    stoppedEarly: [],
    window: infra.config.console.reads.maxRecords,
  };
  const attempt = async (source: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      history.errors.push({ source, error: messageOf(error) });
    }
  };
  const search = async (source: string): Promise<KeyTail['records']> => {
    const tail = await searchTopic(infra, source, key);
    if (tail.stoppedEarly) history.stoppedEarly?.push({ source, ...tail.stoppedEarly });
    return tail.records;
  };
  const parts = keyParts(key);
  const { pushedToFinance, deadLetter } = infra.config.topics;
  await Promise.all([
    attempt('cloud_invoices', async () => {
      if (parts)
        history.recorded = await infra.database.repository.find(
          parts.tenant,
          parts.provider,
          parts.invoiceId,
        );
    }),
    attempt(pushedToFinance, async () => {
      history.announced = await Promise.all(
        (await search(pushedToFinance)).map((r) => announcement(infra, r)),
      );
    }),
    attempt(deadLetter, async () => {
      // Dead letters keep their original key, so the key's partition holds its dead letters too.
      if (await topicExists(infra.kafka, deadLetter))
        history.deadLetters = (await search(deadLetter)).map(deadLetterView);
    }),
  ]);
  return history;
}

function searchTopic(infra: Infrastructure, topic: string, key: string): Promise<KeyTail> {
  const { maxRecords, timeoutMs } = infra.config.console.reads;
  return readKeyTail({
    kafka: infra.kafka,
    topic,
    key,
    window: maxRecords,
    timeoutMs,
    groupPrefix: readGroupPrefix(infra.config, 'search'),
    log: infra.log,
  });
}

async function announcement(
  infra: Infrastructure,
  record: KeyTail['records'][number],
): Promise<InvoiceHistory['announced'][number]> {
  return {
    partition: record.partition,
    offset: record.offset,
    event: await infra.codec.decode<InvoicePushedToFinance>(
      record.message.value,
      infra.contracts.pushedToFinance,
    ),
  };
}
