import { type FailureClass, failureClassOf } from './errors.ts';

/**
 * The one place that decides what a failure does to the event and its partition.
 * - permanent: dead-letter the event (original bytes + reason), then go on: a retry cannot cure it.
 * - transient: the client already retried with backoff; stop this partition, keep the event
 *   uncommitted, pause the partition for a while, then fetch it again.
 * - systemic: the service cannot work right now; pause every partition, report not-ready, retry
 *   with a growing backoff. Never dead-lettered: the event is fine, the surroundings are not.
 */
export type FailureAction = 'dead-letter' | 'pause-partition' | 'pause-consumer';

const ACTIONS: Record<FailureClass, FailureAction> = {
  permanent: 'dead-letter',
  transient: 'pause-partition',
  systemic: 'pause-consumer',
};

export function actionFor(error: unknown): FailureAction {
  return ACTIONS[failureClassOf(error)];
}

/** Exponential backoff for systemic pauses: base, 2×base, 4×base ... capped. */
export function systemicBackoffMs(baseMs: number, consecutiveFailures: number, capMs = 60_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, consecutiveFailures - 1));
}
