import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import type { ErrorCode } from '../../src/failures/errors.ts';
import { fuzzScale, recordBadInput } from '../helpers/bad-input.ts';
import { eventually } from '../helpers/eventually.ts';
import { type ReadMessage, testKafka } from '../helpers/kafka.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { logCapture } from '../helpers/service.ts';
import { type FuzzCase, fuzzCase } from './event-fuzz-cases.ts';

const SEED = 20_260_401;
const LIMITS = { maxBytes: 65_536, maxLines: 200 };
/** Records per produce request: well under the broker's 1 MB request limit even with oversized values. */
const CHUNK_BYTES = 400_000;

/** Sends the cases in order to partition 0; returns each case's offset. */
async function publish(topic: string, cases: FuzzCase[]): Promise<string[]> {
  const producer = testKafka().producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
  });
  await producer.connect();
  const offsets: string[] = [];
  try {
    let chunk: FuzzCase[] = [];
    let bytes = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      const [sent] = await producer.send({
        topic,
        acks: -1,
        messages: chunk.map((c) => ({ key: c.key, value: c.value, partition: 0 })),
      });
      const base = BigInt(sent?.baseOffset ?? '-1');
      offsets.push(...chunk.map((_, i) => String(base + BigInt(i))));
      chunk = [];
      bytes = 0;
    };
    for (const c of cases) {
      if (bytes + (c.value?.length ?? 0) > CHUNK_BYTES) await flush();
      chunk.push(c);
      bytes += c.value?.length ?? 0;
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return offsets;
}

describe('pusher: event fuzz against the real stack', () => {
  it('pushes every valid invoice and dead-letters every hostile record with its reason, on one partition, without a stall or a crash', async () => {
    const scale = fuzzScale();
    const count = 300 * scale.factor;
    const { lines: logs, logger } = logCapture();
    const pipeline = await pipelineForTest({
      env: {
        // Random tenants: each token names its event's tenant, as finance requires.
        FINANCE_IDENTITY: 'event-tenant',
        EVENT_MAX_BYTES: String(LIMITS.maxBytes),
        EVENT_MAX_LINES: String(LIMITS.maxLines),
        KAFKA_TOPIC_PARTITIONS: '1',
      },
      topics: { TOPIC_LINES_INGESTED: {} },
      startService: false,
      logger,
    });
    const { env, finance, infra } = pipeline;
    const topic = env.TOPIC_LINES_INGESTED as string;
    const framing = {
      encode: (event: Parameters<typeof infra.contracts.linesIngested.type.toBuffer>[0]) =>
        framed(infra.schemaIds.linesIngested, infra.contracts.linesIngested.type.toBuffer(event)),
      frame: (body: Uint8Array) => framed(infra.schemaIds.linesIngested, Buffer.from(body)),
    };
    const cases = Array.from(
      { length: count },
      (_, index) =>
        fc.sample(fuzzCase(index, framing, LIMITS), { numRuns: 1, seed: SEED + index })[0] as FuzzCase,
    );
    const offsets = await publish(topic, cases);
    const end = BigInt(offsets.at(-1) as string) + 1n;

    const dlq = await pipeline.pusherDeadLetters();
    const service = await pipeline.startService();
    const valid = cases.filter((c) => 'pushed' in c.expected);
    const invalid = cases.length - valid.length;

    // Settled: the group committed the partition's end (no stall) ...
    const admin = testKafka().admin();
    await admin.connect();
    await eventually(
      async () => {
        const [committed] = await admin.fetchOffsets({
          groupId: env.PUSHER_GROUP_ID as string,
          topics: [topic],
        });
        return committed?.partitions[0]?.offset === String(end) ? true : undefined;
      },
      { timeoutMs: 60_000 * scale.factor, what: `the pusher to commit offset ${end}` },
    ).finally(() => admin.disconnect());
    // ... after making every outcome durable: the dead letters are all there.
    const deadLetters = await dlq.waitFor(invalid, 30_000);
    await dlq.close();

    const { lost, wrong } = judge(cases, offsets, deadLetters);
    // Every valid invoice is in finance exactly once, and nothing else is.
    const rows = finance
      .invoices()
      .map((r) => `${r.tenant_id}:${r.source}:${r.external_id}`)
      .sort();
    const wanted = valid
      .map((c) => `${c.event?.tenant_id}:${c.event?.provider}:${c.event?.provider_invoice_id}`)
      .sort();
    const missing = wanted.filter((key) => !rows.includes(key));
    const crashes = logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    const readiness = await service.readiness();

    expect({ lost, missing, wrong, crashes }).toEqual({ lost: [], missing: [], wrong: [], crashes: [] });
    expect(rows).toEqual(wanted);
    expect(deadLetters).toHaveLength(invalid);
    expect(readiness.ready).toBe(true);
    // The run tried what it claims: every kind at least once, and a fair share of valid invoices.
    expect(new Set(cases.map((c) => c.kind)).size).toBeGreaterThanOrEqual(14);
    expect(valid.length).toBeGreaterThan(count / 5);
    // Written once it passed, for RELIABILITY.md's bad-input table (tools/chaos/bad-input-report.ts).
    recordBadInput('event-fuzz', {
      surface: 'event fuzz (invoice.lines_ingested, one partition)',
      inputs: cases.length,
      crashes: crashes.length + (readiness.ready ? 0 : 1),
      stalls: 0, // the committed offset reached the end, or the wait above failed the test
      lost: lost.length + missing.length,
      what: `hostile records between valid ones (seed ${SEED}): ${summary(cases)}`,
    });
  }, 180_000);
});

/** Each case against the dead letter of its offset: missing ones are lost, others must match exactly. */
function judge(cases: FuzzCase[], offsets: string[], deadLetters: ReadMessage[]) {
  const byOffset = new Map(deadLetters.map((m) => [m.headers[DLQ_HEADER.offset], m]));
  const lost: string[] = [];
  const wrong: string[] = [];
  for (const [i, c] of cases.entries()) {
    const at = `${c.kind} @${offsets[i]}`;
    const letter = byOffset.get(offsets[i]);
    if ('pushed' in c.expected) {
      if (letter) wrong.push(`${at}: dead-lettered ${letter.headers[DLQ_HEADER.exceptionMessage]}`);
    } else if (!letter) {
      lost.push(at);
    } else {
      const code = letter.headers[DLQ_HEADER.errorCode] as ErrorCode;
      if (!c.expected.deadLetter.includes(code))
        wrong.push(`${at}: ${code}, expected ${c.expected.deadLetter.join('|')}`);
      const sameValue =
        c.value === null ? letter.value === null : c.value.equals(letter.value ?? Buffer.alloc(0));
      if (letter.key !== c.key || !sameValue) wrong.push(`${at}: key or value bytes changed`);
    }
  }
  return { lost, wrong };
}

function framed(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

function summary(cases: FuzzCase[]): string {
  const counts = new Map<string, number>();
  for (const c of cases) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
}
