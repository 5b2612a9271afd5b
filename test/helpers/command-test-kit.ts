import type { InvoiceLinesIngested, InvoicePushedToFinance } from '../../src/invoice/invoice-events.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import type { CommandOutput } from '../../src/operator/command-output.ts';
import type { Infrastructure } from '../../src/service/infrastructure.ts';
import { eventually } from './eventually.ts';
import { produce, type ReadMessage, testKafka } from './kafka.ts';

/** A CommandOutput that keeps what a command printed, for assertions. */
export function captureOutput(): CommandOutput & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (line) => outLines.push(line), err: (line) => errLines.push(line) };
}

/** Publishes an event to a chosen partition of the lines-ingested topic, so tests know its offset. */
export async function publishAt(infra: Infrastructure, event: InvoiceLinesIngested, partition = 0) {
  const value = await infra.codec.encode(infra.schemaIds.linesIngested, infra.contracts.linesIngested, event);
  await produce(testKafka(), infra.config.topics.linesIngested, [
    { key: invoiceKey(event), value, partition },
  ]);
}

/** A group's committed offsets on a topic, as `{ partition: offset }` (partitions never committed are left out). */
export async function committedOffsets(groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed: Record<number, string> = {};
    for (const { partition, offset } of entry?.partitions ?? []) {
      if (offset !== '-1') committed[partition] = offset;
    }
    return committed;
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the group has committed `offset` on partition 0 of `topic`. */
export function committedAt(groupId: string, topic: string, offset: string) {
  return eventually(
    async () => {
      const committed = await committedOffsets(groupId, topic);
      return committed[0] === offset ? committed : undefined;
    },
    { what: `${groupId} to commit ${topic} 0:${offset}` },
  );
}

export async function decodePushed(infra: Infrastructure, message: ReadMessage | undefined) {
  return infra.codec.decode<InvoicePushedToFinance>(message?.value ?? null, infra.contracts.pushedToFinance);
}
