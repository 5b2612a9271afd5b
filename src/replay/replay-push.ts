import { AttemptBudget } from '../consuming/attempt-budget.ts';
import { type AttemptOptions, attemptRecord, type RecordContext } from '../consuming/record-attempt.ts';
import { RecordTracing } from '../consuming/record-tracing.ts';
import { SyncError } from '../failures/errors.ts';
import { retriesAtOnce } from '../failures/failure-policy.ts';
import type { InvoicePushedToFinance } from '../invoice/invoice-events.ts';
import type { PushPlatform } from '../push/create-pusher.ts';
import type { InvoicePusher, PushOutcome } from '../push/invoice-pusher.ts';
import { linesIngestedHandler } from '../push/lines-ingested-consumer.ts';

export type ReplayPushOutcome =
  | { outcome: 'created' | 'updated'; pushed: InvoicePushedToFinance }
  | { outcome: 'skipped' }
  | { outcome: 'dead_lettered'; reason: unknown };

/**
 * Pushes one replayed record the way the consumer does: the pusher's own handler (read, check, push,
 * announce), forced past the skip check, and the one failure policy with the attempt budget
 * (PUSHER_MAX_ATTEMPTS) deciding what a failure does. What the consumer would dead-letter is
 * dead-lettered; a budgeted failure is tried again at once within its budget; anything the
 * consumer would pause for stops the replay: `push` throws it and the run says where to resume.
 */
export class ReplayPush {
  readonly #attempt: AttemptOptions<PushOutcome>;

  constructor(infra: PushPlatform, pusher: InvoicePusher) {
    const { config } = infra;
    const handler = linesIngestedHandler(
      {
        codec: infra.codec,
        contracts: infra.contracts,
        maxEventBytes: config.events.maxBytes,
        pusher,
        sender: infra.sender,
        deadLetterTopic: config.topics.deadLetter,
      },
      { force: true },
    );
    this.#attempt = {
      consumer: 'replay',
      // Where tracing is on (the console's Replay page), each replayed record is one process span
      // continuing its record's traceparent, like the consumer's.
      handler: new RecordTracing(config.topics.linesIngested).handler(handler),
      metrics: infra.metrics,
      budget: new AttemptBudget(),
      maxAttempts: config.pusher.maxAttempts,
    };
  }

  async push(record: RecordContext): Promise<ReplayPushOutcome> {
    for (;;) {
      const result = await attemptRecord(this.#attempt, record);
      if (result.outcome === 'handled') return handled(result.value);
      if (result.outcome === 'dead-lettered') return { outcome: 'dead_lettered', reason: result.reason };
      if (result.outcome === 'abandoned') {
        // A replay owns no partition, so nothing revokes its records; say so if that ever changes.
        throw new SyncError('UNEXPECTED', 'replay: a push was abandoned though no partition was revoked');
      }
      if (!retriesAtOnce(result.action, result.error)) throw result.error;
    }
  }
}

/** What a handled push ended as; a push that finance took carries its announcement (audit records it). */
function handled(value: PushOutcome): ReplayPushOutcome {
  return value.outcome === 'skipped' ? { outcome: 'skipped' } : value;
}
