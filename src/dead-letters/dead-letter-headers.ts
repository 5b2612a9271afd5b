import { codeOf, messageOf } from '../failures/errors.ts';

/**
 * Headers of a dead-lettered record, named like Kafka Connect's error reporter
 * (`errors.deadletterqueue.context.headers.enable`) so existing tooling can read them.
 * The record's key and value stay the original bytes, untouched.
 */
export const DLQ_HEADER = {
  topic: '__connect.errors.topic',
  partition: '__connect.errors.partition',
  offset: '__connect.errors.offset',
  exceptionClass: '__connect.errors.exception.class.name',
  exceptionMessage: '__connect.errors.exception.message',
  /** The head of the stack, for errors nobody classified (`UNEXPECTED`). */
  exceptionStacktrace: '__connect.errors.exception.stacktrace',
  timestamp: '__connect.errors.timestamp',
  /** Ours: the catalogue code, the stable thing to alert and filter on. */
  errorCode: '__connect.errors.code',
  /** Ours: set when the original value was too large to dead-letter (it stays at the source offset). */
  valueOmitted: 'invoice_finance_sync.value_omitted',
  /** Ours: set by `dlq redrive` on the copy sent back to the source topic. */
  redrivenFrom: 'invoice_finance_sync.redriven_from',
} as const;

export interface SourceCoordinates {
  topic: string;
  partition: number;
  offset: string;
}

export function deadLetterHeaders(
  error: unknown,
  source: SourceCoordinates,
  now: Date,
): Record<string, string> {
  const code = codeOf(error);
  const className = error instanceof Error ? error.name : typeof error;
  const message = messageOf(error);
  const stack = code === 'UNEXPECTED' ? stackHead(error) : undefined;
  return {
    ...(stack === undefined ? {} : { [DLQ_HEADER.exceptionStacktrace]: stack }),
    [DLQ_HEADER.topic]: source.topic,
    [DLQ_HEADER.partition]: String(source.partition),
    [DLQ_HEADER.offset]: source.offset,
    [DLQ_HEADER.exceptionClass]: `${className}:${code}`,
    [DLQ_HEADER.exceptionMessage]: message,
    [DLQ_HEADER.timestamp]: String(now.getTime()),
    [DLQ_HEADER.errorCode]: code,
  };
}

const STACK_HEAD_LINES = 8;

/** The first frames of the innermost cause: where an unclassified error really came from. */
function stackHead(error: unknown): string | undefined {
  let innermost = error;
  while (innermost instanceof Error && innermost.cause instanceof Error) innermost = innermost.cause;
  const stack = innermost instanceof Error ? innermost.stack : undefined;
  return stack?.split('\n').slice(0, STACK_HEAD_LINES).join('\n');
}
