import type { CloudInvoiceRow } from '../../adapters/db/cloud-invoice.repository.ts';
import { readKeyTail } from '../../adapters/kafka/key-tail.ts';
import type { Infrastructure } from '../../app.ts';
import type { DeadLetterView } from '../../commands/dead-letter-view.ts';
import { listDeadLetters } from '../../commands/dlq.ts';
import type { PushNote } from '../../consumers/push-observer.ts';
import { messageOf } from '../../core/errors.ts';
import type { InvoicePushedToFinance } from '../../events/invoice-events.ts';
import { keyParts, type RecentPushes } from './recent-pushes.ts';

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
}

/** How many records of the key's partition of the announcements topic a search reads. */
export const ANNOUNCEMENT_WINDOW = 5_000;

/** Looks one invoice up in cloud_invoices, the announcements topic, the dead-letter topic and memory. */
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
  };
  const attempt = async (source: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      history.errors.push({ source, error: messageOf(error) });
    }
  };
  const parts = keyParts(key);
  await Promise.all([
    attempt('cloud_invoices', async () => {
      if (parts)
        history.recorded = await infra.database.repository.find(
          parts.tenant,
          parts.provider,
          parts.invoiceId,
        );
    }),
    attempt(infra.config.topics.pushedToFinance, async () => {
      history.announced = await announcements(infra, key);
    }),
    attempt(infra.config.topics.deadLetter, async () => {
      history.deadLetters = (await listDeadLetters(infra)).filter((view) => view.key === key);
    }),
  ]);
  return history;
}

async function announcements(infra: Infrastructure, key: string): Promise<InvoiceHistory['announced']> {
  const records = await readKeyTail(
    infra.kafka,
    infra.config.topics.pushedToFinance,
    key,
    ANNOUNCEMENT_WINDOW,
  );
  return Promise.all(
    records.map(async (record) => ({
      partition: record.partition,
      offset: record.offset,
      event: await infra.codec.decode<InvoicePushedToFinance>(
        record.message.value,
        infra.contracts.pushedToFinance,
      ),
    })),
  );
}
