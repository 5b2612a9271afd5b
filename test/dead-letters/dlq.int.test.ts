import { describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import type { DeadLetterView } from '../../src/dead-letters/dead-letter-view.ts';
import { dlqList, dlqRedrive, dlqShow } from '../../src/dead-letters/dlq.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { captureOutput } from '../helpers/command-test-kit.ts';
import { eventually } from '../helpers/eventually.ts';
import { produce, testKafka, topicReader } from '../helpers/kafka.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { april2026Event } from '../helpers/service.ts';

const NOT_AVRO = Buffer.from('{"invoice":"json, not avro"}');

/**
 * The service (pusher only) dead-letters two bad events published at 0:0 (not Avro) and 0:1
 * (lines do not add up to the stated total).
 */
async function twoDeadLetters() {
  const { env, infra, service, pusherDeadLetters } = await pipelineForTest();
  const source = env.TOPIC_LINES_INGESTED as string;
  const dlqTopic = env.TOPIC_LINES_INGESTED_DLQ as string;
  const mismatch = april2026Event({ provider_invoice_id: 'INV-MISMATCH', total_minor: 8700 });
  const mismatchBytes = await infra.codec.encode(
    infra.schemaIds.linesIngested,
    infra.contracts.linesIngested,
    mismatch,
  );
  await produce(testKafka(), source, [
    { key: 'k:not-avro', value: NOT_AVRO, partition: 0 },
    { key: invoiceKey(mismatch), value: mismatchBytes, partition: 0 },
  ]);
  const dlqReader = await pusherDeadLetters();
  await dlqReader.waitFor(2);
  const views = await dlqList(infra, {}, captureOutput());
  const byKey = (key: string) => views.find((v) => v.key === key) as DeadLetterView;
  return {
    env: { source, dlqTopic },
    infra,
    service,
    dlqReader,
    mismatch: { event: mismatch, bytes: mismatchBytes, view: byKey(invoiceKey(mismatch)) },
    notAvro: byKey('k:not-avro'),
  };
}

const at = (view: DeadLetterView) => ({ partition: view.partition, offset: BigInt(view.offset) });
const idOf = (topic: string, view: { partition: number; offset: string }) =>
  `${topic}/${view.partition}/${view.offset}`;

describe('dlq: list, show and redrive dead letters of invoice.lines_ingested', () => {
  it('lists each dead letter with its reason and source coordinates, and shows it decoded where possible', async () => {
    const { env, infra, mismatch, notAvro } = await twoDeadLetters();
    expect(notAvro).toMatchObject({
      source: { topic: env.source, partition: 0, offset: '0' },
      errorCode: 'EVENT_UNDECODABLE',
      value: NOT_AVRO,
    });
    expect(mismatch.view).toMatchObject({
      source: { topic: env.source, partition: 0, offset: '1' },
      errorCode: 'INVOICE_TOTAL_MISMATCH',
      reason: expect.stringMatching(/lines sum to 8692 but total_minor is 8700/),
    });

    const listed = captureOutput();
    await dlqList(infra, {}, listed);
    const { partition, offset } = mismatch.view;
    expect(listed.outLines).toHaveLength(2);
    expect(listed.outLines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${partition}:${offset} {2}\\d{4}-\\d\\d-\\d\\dT\\S+Z {2}from ${env.source} 0:1 {2}${invoiceKey(mismatch.event)} {2}INVOICE_TOTAL_MISMATCH {2}lines sum to 8692`,
        ),
      ),
    );
    const json = captureOutput();
    await dlqList(infra, { json: true, limit: 1 }, json);
    expect(JSON.parse(json.outLines.join('\n'))).toHaveLength(1);

    const shown = captureOutput();
    const decoded = await dlqShow(infra, at(mismatch.view), shown);
    expect(decoded.value).toMatchObject({
      decoded: true,
      as: 'InvoiceLinesIngested',
      value: { event_id: mismatch.event.event_id, total_minor: 8700, lines: expect.any(Array) },
    });
    expect(shown.outLines[0]).toContain(
      'INV-MISMATCH of platform-admin (digitalocean), period 2026-04-01, total_minor 8700 USD, 33 lines summing to 8692',
    );
    const explained = captureOutput();
    const undecoded = await dlqShow(infra, at(notAvro), explained);
    expect(undecoded.value).toEqual({
      decoded: false,
      reason: expect.stringMatching(/^EVENT_UNDECODABLE: value is not Confluent-framed Avro/),
    });
    expect(explained.outLines[0]).toContain('  text  {"invoice":"json, not avro"}');
    expect(explained.outLines[0]).toContain(`  ${DLQ_HEADER.offset}: 0\n`);
  });

  it('redrives one dead letter: the same bytes go back to the source topic, marked, and fail again there', async () => {
    const { env, infra, dlqReader, mismatch } = await twoDeadLetters();
    const badId = idOf(env.dlqTopic, mismatch.view);

    const sent = await dlqRedrive(infra, { offsets: [at(mismatch.view)] }, captureOutput());

    expect(sent).toEqual({
      redriven: [
        { from: badId, to: { topic: env.source, partition: expect.any(Number), offset: expect.any(String) } },
      ],
      skipped: [],
    });
    const to = sent.redriven[0]?.to as { partition: number; offset: string };
    const sourceReader = await topicReader(testKafka(), env.source);
    const copy = await eventually(() =>
      sourceReader.messages.find((m) => m.partition === to.partition && m.offset === to.offset),
    );
    await sourceReader.close();
    expect(copy.key).toBe(invoiceKey(mismatch.event));
    expect(copy.value?.equals(mismatch.bytes)).toBe(true);
    expect(copy.headers).toEqual({ [DLQ_HEADER.redrivenFrom]: badId });
    // Nothing was fixed, so the service dead-letters the copy: a second dead letter, new source offset.
    const second = (await dlqReader.waitFor(3)).find((m) => m.headers[DLQ_HEADER.redrivenFrom] === badId);
    expect(second?.value?.equals(mismatch.bytes)).toBe(true);
    expect(second?.headers).toMatchObject({
      [DLQ_HEADER.topic]: env.source,
      [DLQ_HEADER.partition]: String(to.partition),
      [DLQ_HEADER.offset]: to.offset,
      [DLQ_HEADER.errorCode]: 'INVOICE_TOTAL_MISMATCH',
    });
  });

  it('records what was redriven: neither --offset nor --all sends a dead letter twice, unless --force', async () => {
    const { env, infra, service, dlqReader, mismatch, notAvro } = await twoDeadLetters();
    const badId = idOf(env.dlqTopic, mismatch.view);
    await dlqRedrive(infra, { offsets: [at(mismatch.view)] }, captureOutput());
    const second = (await dlqReader.waitFor(3)).find((m) => m.headers[DLQ_HEADER.redrivenFrom] === badId);
    await service.stop(); // redriven copies now stay on the source topic: the dead-letter topic holds still

    const again = await dlqRedrive(infra, { offsets: [at(mismatch.view)] }, captureOutput());
    expect(again).toEqual({ redriven: [], skipped: [{ from: badId, why: 'redriven before' }] });
    const all = await dlqRedrive(infra, { all: true }, captureOutput());
    expect(all.redriven.map((r) => r.from).sort()).toEqual(
      [
        idOf(env.dlqTopic, notAvro),
        idOf(env.dlqTopic, second as { partition: number; offset: string }),
      ].sort(),
    );
    expect(all.skipped).toEqual([{ from: badId, why: 'redriven before' }]);
    const allAgain = await dlqRedrive(infra, { all: true }, captureOutput());
    expect(allAgain.redriven).toEqual([]);
    expect(allAgain.skipped).toHaveLength(3);
    const forced = await dlqRedrive(infra, { offsets: [at(mismatch.view)], force: true }, captureOutput());
    expect(forced.redriven.map((r) => r.from)).toEqual([badId]);

    const listed = captureOutput();
    await dlqList(infra, {}, listed);
    expect(listed.outLines.filter((line) => line.endsWith(`(redriven from ${badId})`))).toHaveLength(1);
  });
});
