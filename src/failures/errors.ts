/**
 * The one error catalogue of the service.
 *
 * Every failure the service can meet has a fixed code and a failure class, decided by evidence about
 * WHOSE problem it is. The class (and, for budgeted codes, the attempts so far) alone decides what
 * happens to the event and its partition (see `failure-policy.ts`):
 * - `transient`: the same attempt may succeed later (network, timeout, 408/409/425/429, 5xx). Retry,
 *   then pause the partition. A valid invoice is never dead-lettered for it.
 * - `systemic`: something around the service is broken for every event (credentials refused, wrong
 *   finance URL, registry or database down). Stop consuming, report not-ready, retry later.
 * - `permanent`: the event itself (or its tenant) is the problem. Dead-letter it, move on.
 * A `budgeted` code is transient but has not been proven so: after the attempt budget it is
 * dead-lettered as `UNEXPECTED`, so nothing loops forever on an error nobody classified.
 */
export type FailureClass = 'transient' | 'systemic' | 'permanent';

interface CatalogueEntry {
  failureClass: FailureClass;
  /** When this code is raised, in words an operator reads in README's failure table. */
  when: string;
  /** Transient with an attempt budget (PUSHER_MAX_ATTEMPTS / RECORDER_MAX_ATTEMPTS). */
  budgeted?: true;
  /**
   * Only the operator can fix it (a variable, a credential, a certificate), so retrying cannot:
   * met at start, the CLI exits 78 (EX_CONFIG) naming what to change instead of retrying.
   */
  configuration?: true;
  /**
   * The operator's input file is wrong (`ingest --csv`): nothing is published and the CLI exits 65
   * (EX_DATAERR) with one line naming the file, the line and the reason, since only a corrected file helps.
   */
  inputData?: true;
  /** The operator's input file cannot be read at all: the CLI exits 66 (EX_NOINPUT) naming it. */
  inputMissing?: true;
  /** Met only while the process starts: it exits 1 with the message, and a restart tries again. */
  atStart?: true;
}

export const ERROR_CODES = {
  CONFIG_INVALID: {
    failureClass: 'systemic',
    configuration: true,
    when: 'a variable is invalid at start (exit 78)',
  },
  EVENT_UNDECODABLE: { failureClass: 'permanent', when: 'the value is not Confluent-framed Avro' },
  EVENT_SCHEMA_UNKNOWN: { failureClass: 'permanent', when: 'the schema id is unknown to the registry' },
  EVENT_INVALID: {
    failureClass: 'permanent',
    when: 'the invoice is invalid (impossible date, unsafe integer, no lines but a total…)',
  },
  EVENT_TOO_LARGE: {
    failureClass: 'permanent',
    when: 'the value is larger than `EVENT_MAX_BYTES` (checked before decoding)',
  },
  INVALID_IDENTIFIER: {
    failureClass: 'permanent',
    when: '`tenant_id` or `provider` is not 1-64 of `A-Z a-z 0-9 . _ -`, `provider_invoice_id` not 1-128 printable ASCII, or `currency` not 3 capitals; the field is named',
  },
  INVOICE_TOO_MANY_LINES: {
    failureClass: 'permanent',
    when: 'the invoice has more lines than `EVENT_MAX_LINES`',
  },
  KEY_MISMATCH: {
    failureClass: 'permanent',
    when: 'the record key is not `{tenant_id}:{provider}:{provider_invoice_id}` of its value',
  },
  INVOICE_TOTAL_MISMATCH: { failureClass: 'permanent', when: 'the lines do not add up to `total_minor`' },
  FINANCE_REJECTED: { failureClass: 'permanent', when: 'finance answered 400, 413 or 422' },
  FINANCE_REQUEST_INVALID: {
    failureClass: 'permanent',
    when: 'the HTTP client refused to send our request (an invalid header value or argument), before finance saw it',
  },
  FINANCE_FORBIDDEN_FOR_TENANT: {
    failureClass: 'permanent',
    when: 'finance answered 403 to a fresh token, but accepts the configured identity (probe got 422)',
  },
  FINANCE_UNAVAILABLE: {
    failureClass: 'transient',
    when: 'network error, timeout, push deadline, or 408/409/425/429/5xx after every retry',
  },
  FINANCE_UNAUTHORIZED: {
    failureClass: 'systemic',
    when: 'finance answered 401 to a fresh token, or 403 and the configured identity is refused too',
  },
  FINANCE_ENDPOINT_WRONG: {
    failureClass: 'systemic',
    when: 'finance answered 404, 405 or 501: `SKYAI_FINANCE_URL` points at the wrong place',
  },
  FINANCE_UNEXPECTED_ANSWER: {
    failureClass: 'transient',
    budgeted: true,
    when: 'finance answered a status no rule covers, or a 2xx without `data.id`/`data.action`',
  },
  REGISTRY_UNAVAILABLE: {
    failureClass: 'systemic',
    when: 'the schema registry cannot be reached, or left a request unanswered for 10 s (at start such a request is asked up to 3 times before start fails)',
  },
  DATABASE_UNAVAILABLE: { failureClass: 'systemic', when: 'PostgreSQL cannot be reached' },
  TLS_HANDSHAKE_FAILED: {
    failureClass: 'systemic',
    configuration: true,
    when: 'a TLS connection to Kafka, the registry, PostgreSQL or finance failed: its certificate is not trusted (`*_CA_FILE`), names another host or expired; our client certificate was refused; or one side does not speak TLS (`KAFKA_SSL`, `sslmode`, `https`)',
  },
  CREDENTIALS_REFUSED: {
    failureClass: 'systemic',
    configuration: true,
    when: 'Kafka refused the SASL login (`KAFKA_SASL_*`), the registry answered 401/403 (`SCHEMA_REGISTRY_USERNAME`/`_PASSWORD`), or PostgreSQL refused the user of `DATABASE_URL`',
  },
  KAFKA_PRODUCE_FAILED: {
    failureClass: 'transient',
    when: 'producing an announcement or dead letter failed',
  },
  PARTITION_REVOKED: {
    failureClass: 'transient',
    when: 'a rebalance began while the push was in flight: neither announced nor committed',
  },
  COMMIT_TIMEOUT: {
    failureClass: 'transient',
    when: 'Kafka left an offset commit unanswered for 15 s (seen around a broker restart)',
  },
  KAFKA_TOPIC_UNAVAILABLE: {
    failureClass: 'systemic',
    atStart: true,
    when: 'a topic still has a partition without a leader 30 s after start created or found it (brokers down, or fewer than `KAFKA_TOPIC_REPLICATION` of them)',
  },
  INGEST_INPUT_INVALID: {
    failureClass: 'permanent',
    inputData: true,
    when: 'the CSV given to `ingest --csv` is not a DigitalOcean export: empty, not UTF-8, not CSV, a header column missing or doubled, a row with another number of fields, no description or a bad `USD` amount',
  },
  INGEST_INPUT_MISSING: {
    failureClass: 'permanent',
    inputMissing: true,
    when: 'the file given to `ingest --csv` does not exist, is a directory or cannot be read',
  },
  INTERNAL_INVARIANT: {
    failureClass: 'transient',
    budgeted: true,
    when: 'the service caught itself contradicting its own rules (a bug): a limit below 1, a partition outside the replayed range, an upsert of `cloud_invoices` that neither wrote nor found the row after 3 tries',
  },
  UNEXPECTED: {
    failureClass: 'transient',
    budgeted: true,
    when: 'any error outside this catalogue (a bug, a library surprise)',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface SyncErrorOptions {
  /** Facts a person needs to act: which invoice, which figure, which variable. Never secrets. */
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
}

export function isSyncError(error: unknown): error is SyncError {
  return error instanceof SyncError;
}

/** The catalogue code of any error: anything that is not one of ours is `UNEXPECTED`. */
export function codeOf(error: unknown): ErrorCode {
  return isSyncError(error) ? error.code : 'UNEXPECTED';
}

export function failureClassOf(error: unknown): FailureClass {
  return ERROR_CODES[codeOf(error)].failureClass;
}

/** True for codes that are retried only within the attempt budget. */
export function isBudgeted(error: unknown): boolean {
  const entry: CatalogueEntry = ERROR_CODES[codeOf(error)];
  return entry.budgeted === true;
}

const EX_DATAERR = 65; // sysexits.h: the input data was incorrect in some way
const EX_NOINPUT = 66; // sysexits.h: an input file did not exist or was not readable
const EX_CONFIG = 78; // sysexits.h: something was found in an unconfigured or misconfigured state

/**
 * The exit code of a CLI command that failed with `error`: errors only the operator can fix get their
 * sysexits.h code (78 configuration, 65 input data, 66 input file), so scripts can tell them from 1,
 * "something went wrong, retrying may help".
 */
export function exitCodeOf(error: unknown): number {
  if (!isSyncError(error)) return 1;
  const entry: CatalogueEntry = ERROR_CODES[error.code];
  if (entry.configuration === true) return EX_CONFIG;
  if (entry.inputData === true) return EX_DATAERR;
  if (entry.inputMissing === true) return EX_NOINPUT;
  return 1;
}

/** The message of any thrown value, for logs, headers and reasons. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
