import type { RecordHandler } from '../consuming/batch-processor.ts';
import { codeOf, messageOf } from '../failures/errors.ts';
import type { InvoiceTotals } from '../invoice/normalize-invoice.ts';

/** What happened to one event, as the pusher or a consumer's dead-letter path saw it. */
export type PushNote =
  | {
      outcome: 'created' | 'updated';
      at: number;
      key: string;
      financeInvoiceId: string;
      currency: string;
      totals: InvoiceTotals;
      /** Finance import time, retries included (ms). */
      latencyMs: number;
      sha256: string;
    }
  | { outcome: 'skipped'; at: number; key: string; sha256: string }
  | {
      outcome: 'dead_lettered';
      at: number;
      key: string;
      consumer: string;
      source: { topic: string; partition: number; offset: string };
      code: string;
      reason: string;
    };

/**
 * Told about every push outcome. Defined here, next to what produces the notes, so the consumers
 * never import whoever listens (the operations console's ring buffer, wired in app.ts).
 */
export interface PushObserver {
  note(note: PushNote): void;
}

export const NO_OBSERVER: PushObserver = { note: () => undefined };

/** One observer telling each of `list` about every note, in order. */
export function observers(...list: PushObserver[]): PushObserver {
  return {
    note: (note) => {
      for (const observer of list) observer.note(note);
    },
  };
}

/** The handler, telling `observer` about each dead letter once it is durable. */
export function observingDeadLetters(
  handler: RecordHandler,
  consumer: string,
  observer: PushObserver,
): RecordHandler {
  return {
    handle: (record) => handler.handle(record),
    deadLetter: async (record, error) => {
      await handler.deadLetter(record, error);
      observer.note({
        outcome: 'dead_lettered',
        at: Date.now(),
        key: record.key,
        consumer,
        source: { topic: record.topic, partition: record.partition, offset: record.offset },
        code: codeOf(error),
        reason: messageOf(error),
      });
    },
  };
}
