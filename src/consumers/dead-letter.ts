import type { DurableSender } from '../adapters/kafka/kafka-client.ts';
import { deadLetterHeaders } from '../core/dead-letter-headers.ts';
import type { RecordContext } from './batch-processor.ts';

/** Sends the ORIGINAL key and value bytes, untouched, with headers saying where they came from and why. */
export async function deadLetter(
  sender: DurableSender,
  topic: string,
  record: RecordContext,
  error: unknown,
) {
  const headers = { ...record.message.headers, ...deadLetterHeaders(error, record, new Date()) };
  await sender.send({ topic, key: record.message.key, value: record.message.value, headers });
}
