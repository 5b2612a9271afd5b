import type { RecordContext } from '../consuming/batch-processor.ts';
import type { DurableSender } from '../platform/kafka/kafka-client.ts';
import { DLQ_HEADER, deadLetterHeaders } from './dead-letter-headers.ts';

/**
 * Sends the ORIGINAL key and value bytes, untouched, with headers saying where they came from and why.
 *
 * A record the input topic took may still be too large for the dead-letter topic once our headers
 * are added (both default to the broker's 1 MB `message.max.bytes`). Retrying would stall the
 * partition forever, so the dead letter then goes without the value and the record's own headers,
 * saying so: the bytes stay readable at the source coordinates the headers name.
 */
export async function deadLetter(
  sender: DurableSender,
  topic: string,
  record: RecordContext,
  error: unknown,
) {
  const reason = deadLetterHeaders(error, record, new Date());
  const { key, value } = record.message;
  try {
    await sender.send({ topic, key, value, headers: { ...record.message.headers, ...reason } });
  } catch (sendError) {
    if (!isTooLarge(sendError)) throw sendError;
    const omitted = `${value?.length ?? 0} value bytes and the record's headers left out: the dead letter was larger than ${topic} accepts; read them at the source topic, partition and offset`;
    await sender.send({
      topic,
      key,
      value: null,
      headers: { ...reason, [DLQ_HEADER.valueOmitted]: omitted },
    });
  }
}

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** Is the broker's refusal, somewhere in the error's causes, "the record is too large"? */
function isTooLarge(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 8) return false;
  const { type, cause, originalError, errors } = error as {
    type?: unknown;
    cause?: unknown;
    originalError?: unknown;
    errors?: unknown;
  };
  if (typeof type === 'string' && TOO_LARGE.has(type)) return true;
  const inner = [cause, originalError, ...(Array.isArray(errors) ? errors : [])];
  return inner.some((candidate) => isTooLarge(candidate, depth + 1));
}
