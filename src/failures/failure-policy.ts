import { codeOf, ERROR_CODES, type ErrorCode, type FailureClass, isBudgeted, SyncError } from './errors.ts';

/**
 * The one place that decides what a failure does to the event and its partition.
 * - `dead-letter`: the event (or its tenant) is the problem: original bytes + reason to the DLQ, go on.
 * - `pause-partition`: a transient failure outlasted the client's retries: keep the event
 *   uncommitted, pause its partition for a while, then fetch it again. Other partitions flow on.
 * - `pause-consumer`: the service cannot work right now (systemic, proven not to be one event's
 *   problem): pause every partition, report not-ready, retry with a growing backoff.
 * - `abandon`: the partition may be revoked: neither announce nor commit; its next owner repeats it.
 */
export type FailureAction = 'dead-letter' | 'pause-partition' | 'pause-consumer' | 'abandon';

export interface Attempts {
  /** Failed attempts of this event so far, this one included. */
  attempts: number;
  /** The attempt budget of budgeted codes (PUSHER_MAX_ATTEMPTS / RECORDER_MAX_ATTEMPTS). */
  maxAttempts: number;
}

const ACTIONS: Record<FailureClass, FailureAction> = {
  permanent: 'dead-letter',
  transient: 'pause-partition',
  systemic: 'pause-consumer',
};

export function decide(error: unknown, { attempts, maxAttempts }: Attempts): FailureAction {
  const code = codeOf(error);
  if (code === 'PARTITION_REVOKED') return 'abandon';
  if (isBudgeted(error) && attempts >= maxAttempts) return 'dead-letter';
  return ACTIONS[ERROR_CODES[code].failureClass];
}

/**
 * The same decision for a run that cannot come back to a record later (`replay`): a record the
 * consumer would retry after a pause because its error is budgeted is tried again at once (and
 * dead-lettered by `decide` when the budget is spent); any other pause stops the run where it can
 * resume: a transient failure has outlasted the client's retries, a systemic one stops everything.
 */
export function retriesAtOnce(action: FailureAction, error: unknown): boolean {
  return action === 'pause-partition' && isBudgeted(error);
}

/**
 * What is dead-lettered once a budgeted error exhausted its attempts: `UNEXPECTED`, carrying the
 * last error's message (and, through `cause`, its stack for the DLQ headers).
 */
export function exhaustedBudget(error: unknown, attempts: number): SyncError {
  const last = error instanceof Error ? error.message : String(error);
  return new SyncError('UNEXPECTED', `gave up after ${attempts} attempts: ${last}`, {
    cause: error,
    details: { attempts, last_code: codeOf(error) },
  });
}

/** Exponential backoff for systemic pauses: base, 2×base, 4×base ... capped. */
export function systemicBackoffMs(baseMs: number, consecutiveFailures: number, capMs = 60_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, consecutiveFailures - 1));
}

/** What each outcome means for the operator; README's failure table is generated from this. */
const CONSEQUENCES: Record<
  | FailureClass
  | 'budgeted'
  | 'revoked'
  | 'commit'
  | 'configuration'
  | 'inputData'
  | 'inputMissing'
  | 'atStart',
  string
> = {
  permanent:
    'dead-lettered with its original bytes and reason (`__connect.errors.*` headers), committed; the rest flows on',
  transient:
    'retried with backoff and jitter (`Retry-After` honoured), then its partition paused for `PUSHER_PAUSE_ON_TRANSIENT_MS`; never dead-lettered',
  systemic:
    'every partition paused, `/readyz` 503 naming the cause, retried with a backoff doubling from `SYSTEMIC_BACKOFF_MS` to 60 s (ended early once PostgreSQL or the registry, when it was the cause, answers again: checked every second); never dead-lettered',
  budgeted:
    'retried like transient, but after `PUSHER_MAX_ATTEMPTS` (recorder: `RECORDER_MAX_ATTEMPTS`) failed attempts dead-lettered as `UNEXPECTED` with the message and stack head',
  revoked: 'not announced, not committed, no pause: the partition’s next owner pushes it again',
  commit:
    'logged as a warning; the offsets are committed again 250 ms later, a new group generation commits without waiting for it, and should the old commit land after newer ones, the newest are committed again (every 2 s for a minute after, as kafkajs may land it more than once); no event is affected (a crash meanwhile only repeats work)',
  configuration:
    'at start: the process exits 78 naming the component, the cause and the variable to fix; later: every partition paused, `/readyz` 503 naming the cause, retried with a backoff doubling from `SYSTEMIC_BACKOFF_MS` to 60 s; never dead-lettered',
  inputData:
    'nothing is published; `ingest` exits 65 with one line naming the file, the line and the reason, no stack trace',
  inputMissing: 'nothing is published; `ingest` exits 66 naming the file and why it cannot be read',
  atStart: 'the process exits 1 with the message, before consuming anything; restarting it tries again',
};

export interface DecisionRow {
  code: ErrorCode;
  failureClass: FailureClass;
  when: string;
  consequence: string;
}

export function decisionTable(): DecisionRow[] {
  return (Object.entries(ERROR_CODES) as [ErrorCode, (typeof ERROR_CODES)[ErrorCode]][])
    .filter(([code]) => code !== 'CONFIG_INVALID')
    .map(([code, entry]) => ({
      code,
      failureClass: entry.failureClass,
      when: entry.when,
      consequence: consequenceOf(code, entry),
    }));
}

function consequenceOf(code: ErrorCode, entry: (typeof ERROR_CODES)[ErrorCode]): string {
  if (code === 'PARTITION_REVOKED') return CONSEQUENCES.revoked;
  if (code === 'COMMIT_TIMEOUT') return CONSEQUENCES.commit;
  if ('budgeted' in entry) return CONSEQUENCES.budgeted;
  if ('configuration' in entry) return CONSEQUENCES.configuration;
  if ('inputData' in entry) return CONSEQUENCES.inputData;
  if ('inputMissing' in entry) return CONSEQUENCES.inputMissing;
  if ('atStart' in entry) return CONSEQUENCES.atStart;
  return CONSEQUENCES[entry.failureClass];
}

/** README's "What happens on failure" table, as Markdown. */
export function decisionTableMarkdown(): string {
  const rows = decisionTable().map(
    (row) => `| \`${row.code}\` | ${row.failureClass} | ${row.when} | ${row.consequence} |`,
  );
  return ['| code | class | when | what the service does |', '|---|---|---|---|', ...rows].join('\n');
}
