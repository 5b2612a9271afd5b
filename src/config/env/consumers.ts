import { defineVars } from './define-vars.ts';
import { int, name } from './value-schemas.ts';

export const TOPIC_VARS = defineVars('Topics', {
  TOPIC_LINES_INGESTED: {
    default: 'invoice.lines_ingested',
    doc: 'Input topic (Avro InvoiceLinesIngested).',
    schema: name,
  },
  TOPIC_PUSHED_TO_FINANCE: {
    default: 'invoice.pushed_to_finance',
    doc: 'Output topic (Avro InvoicePushedToFinance).',
    schema: name,
  },
  TOPIC_LINES_INGESTED_DLQ: {
    default: 'invoice.lines_ingested.dlq',
    doc: 'Dead-letter topic for events that can never be pushed.',
    schema: name,
  },
  TOPIC_PUSHED_TO_FINANCE_DLQ: {
    default: 'invoice.pushed_to_finance.dlq',
    doc: 'Dead-letter topic of the recorder (pushed events it cannot read).',
    schema: name,
  },
});

export const CONSUMER_VARS = defineVars('Pusher and recorder', {
  PUSHER_GROUP_ID: { default: 'invoice-finance-pusher', doc: 'Consumer group of the pusher.', schema: name },
  RECORDER_GROUP_ID: {
    default: 'invoice-finance-recorder',
    doc: 'Consumer group of the recorder.',
    schema: name,
  },
  PUSHER_MAX_IN_FLIGHT: {
    default: '16',
    doc: 'Finance pushes in flight at once, across partitions and keys (order kept per key).',
    schema: int(1, 1024),
  },
  PUSHER_MAX_ATTEMPTS: {
    default: '5',
    doc: 'Attempts of an event failing with an unclassified error before it is dead-lettered as UNEXPECTED; counted across pauses, reset by a restart.',
    schema: int(1, 1_000),
  },
  RECORDER_MAX_IN_FLIGHT: {
    default: '16',
    doc: 'Recorder writes in flight at once, across partitions and keys.',
    schema: int(1, 1024),
  },
  RECORDER_MAX_ATTEMPTS: {
    default: '5',
    doc: 'The recorder’s attempt budget for unclassified errors (as PUSHER_MAX_ATTEMPTS).',
    schema: int(1, 1_000),
  },
  PUSHER_PAUSE_ON_TRANSIENT_MS: {
    default: '15000',
    doc: 'How long a partition stays paused after finance stayed unavailable through all retries (ms).',
    schema: int(100, 3_600_000),
  },
  SYSTEMIC_BACKOFF_MS: {
    default: '5000',
    doc: 'First wait before consuming again after a systemic failure (ms); doubles up to 60 s. A database or registry failure ends the wait as soon as that server answers again.',
    schema: int(10, 600_000),
  },
});

// 8 MiB and 50,000 lines: five times the lines of the largest invoice measured (10,000 lines, a
// 330 kB Avro record, a 630 kB finance body: BENCHMARKS.md), and room for long line texts.
export const EVENT_VARS = defineVars('Event bounds', {
  EVENT_MAX_BYTES: {
    default: '8388608',
    doc: 'Largest record value (bytes) either consumer decodes; a larger one is dead-lettered as EVENT_TOO_LARGE.',
    schema: int(1_024, 1_073_741_824),
  },
  EVENT_MAX_LINES: {
    default: '50000',
    doc: 'Most lines of one invoice; a longer one is dead-lettered as INVOICE_TOO_MANY_LINES.',
    schema: int(1, 10_000_000),
  },
});
