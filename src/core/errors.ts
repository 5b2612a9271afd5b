/**
 * The one error catalogue of the service.
 *
 * Every failure the service can meet has a fixed code and a failure class. The class alone decides
 * what happens to the event and its partition (see `failure-policy.ts`):
 * - `transient`: the same attempt may succeed later (network, timeout, 429, 5xx). Retry, then pause.
 * - `systemic`: something around the service is broken (credentials refused, registry or database
 *   down). Stop consuming, report not-ready, retry later. Never dead-lettered.
 * - `permanent`: the event itself is bad (undecodable, unknown schema, invalid invoice, 422).
 *   Dead-letter it with its reason and move on.
 */
export type FailureClass = 'transient' | 'systemic' | 'permanent';

export const ERROR_CODES = {
  CONFIG_INVALID: { failureClass: 'systemic', title: 'invalid configuration' },
  EVENT_UNDECODABLE: { failureClass: 'permanent', title: 'event bytes are not Confluent-framed Avro' },
  EVENT_SCHEMA_UNKNOWN: { failureClass: 'permanent', title: 'event schema id is unknown to the registry' },
  EVENT_INVALID: { failureClass: 'permanent', title: 'event is not a valid invoice' },
  INVOICE_TOTAL_MISMATCH: { failureClass: 'permanent', title: 'invoice lines do not add up to its total' },
  FINANCE_REJECTED: { failureClass: 'permanent', title: 'finance rejected the payload' },
  FINANCE_UNAVAILABLE: {
    failureClass: 'transient',
    title: 'finance did not answer in time or answered 429/5xx',
  },
  FINANCE_UNAUTHORIZED: { failureClass: 'systemic', title: 'finance refused the credentials' },
  FINANCE_UNEXPECTED_ANSWER: { failureClass: 'transient', title: 'finance answered something unexpected' },
  REGISTRY_UNAVAILABLE: { failureClass: 'systemic', title: 'schema registry unreachable' },
  DATABASE_UNAVAILABLE: { failureClass: 'systemic', title: 'database unreachable' },
  KAFKA_PRODUCE_FAILED: { failureClass: 'transient', title: 'producing to Kafka failed' },
} as const satisfies Record<string, { failureClass: FailureClass; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface SyncErrorOptions {
  /** Facts a person needs to act: which invoice, which figures, which variable. Never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class SyncError extends Error {
  readonly code: ErrorCode;
  readonly failureClass: FailureClass;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SyncError';
    this.code = code;
    this.failureClass = ERROR_CODES[code].failureClass;
    this.details = Object.freeze({ ...options.details });
  }

  get canRetry(): boolean {
    return this.failureClass !== 'permanent';
  }
}

export function isSyncError(error: unknown): error is SyncError {
  return error instanceof SyncError;
}

/** Anything that is not one of ours is treated as transient: a retry can never do harm. */
export function failureClassOf(error: unknown): FailureClass {
  return isSyncError(error) ? error.failureClass : 'transient';
}
