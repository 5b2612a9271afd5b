import { isSyncError } from '../failures/errors.ts';
import { UsageError } from '../failures/usage-error.ts';
import type { Coordinates } from '../operator/cli-arguments.ts';
import { type CommandOutput, processOutput } from '../operator/command-output.ts';
import type { Messaging } from '../platform/messaging.ts';
import { type DecodedValue, formatDetails } from './dead-letter-details.ts';
import { type DeadLetterList, type DeadLetterReadOptions, readDeadLetters } from './dead-letter-reader.ts';
import { type DeadLetterView, listEntry, listLine } from './dead-letter-view.ts';

export { dlqRedrive } from './dlq-redrive.ts';

export interface DlqListOptions {
  /** Dead-letter topic; the pusher's by default. */
  topic?: string;
  /** Only the newest n; older dead letters are not even fetched. */
  limit?: number;
  json?: boolean;
}

/** Every dead letter of `topic` (the pusher's by default), oldest first; `options.limits` may cut it short. */
export async function listDeadLetters(
  infra: Messaging,
  topic?: string,
  options: DeadLetterReadOptions = {},
): Promise<DeadLetterList> {
  const views = await readDeadLetters(infra, topic ?? infra.config.topics.deadLetter, {}, options);
  return views.sort(
    (a, b) =>
      a.failedAt - b.failedAt || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
}

/** `dlq list`: one line per dead letter, oldest first. */
export async function dlqList(
  infra: Messaging,
  options: DlqListOptions = {},
  output: CommandOutput = processOutput,
): Promise<DeadLetterView[]> {
  const topic = options.topic ?? infra.config.topics.deadLetter;
  // The newest n overall are among the newest n of each partition: nothing older is fetched.
  const all = await listDeadLetters(infra, topic, { newestPerPartition: options.limit });
  const views = options.limit === undefined ? all : all.slice(Math.max(0, all.length - options.limit));
  if (options.json) output.out(JSON.stringify(views.map(listEntry), null, 2));
  else if (views.length === 0) output.err(`no dead letters in ${topic}`);
  else for (const view of views) output.out(listLine(view));
  return views;
}

export interface DlqShowOptions extends Coordinates {
  topic?: string;
}

/** One dead letter, its value decoded through the registry where it can be. */
export async function readDeadLetter(
  infra: Messaging,
  options: DlqShowOptions,
): Promise<{ view: DeadLetterView; value: DecodedValue }> {
  const topic = options.topic ?? infra.config.topics.deadLetter;
  const [view] = await readDeadLetters(infra, topic, {
    partitions: [options.partition],
    fromOffset: options.offset,
    toOffset: options.offset,
  });
  if (view === undefined || view.offset !== String(options.offset)) {
    throw new UsageError(`${topic} has no record at ${options.partition}:${options.offset}`);
  }
  return { view, value: await decodeValue(infra, view) };
}

/** `dlq show`: one dead letter in full, its value decoded through the registry where it can be. */
export async function dlqShow(
  infra: Messaging,
  options: DlqShowOptions,
  output: CommandOutput = processOutput,
): Promise<{ view: DeadLetterView; value: DecodedValue }> {
  const shown = await readDeadLetter(infra, options);
  output.out(formatDetails(shown.view, shown.value));
  return shown;
}

/** Decodes with the contract of the topic the record failed on; says why when it cannot. */
async function decodeValue(infra: Messaging, view: DeadLetterView): Promise<DecodedValue> {
  const pushed = view.source?.topic === infra.config.topics.pushedToFinance;
  const [contract, as] = pushed
    ? [infra.contracts.pushedToFinance, 'InvoicePushedToFinance']
    : [infra.contracts.linesIngested, 'InvoiceLinesIngested'];
  try {
    const value = await infra.codec.decode<unknown>(view.value, contract);
    return { decoded: true, schemaId: view.value?.readUInt32BE(1) ?? 0, as, value };
  } catch (error) {
    const reason = isSyncError(error) ? `${error.code}: ${error.message}` : String(error);
    return { decoded: false, reason };
  }
}
