import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { replayCommand } from '../../src/replay/replay.ts';
import {
  captureOutput,
  committedAt,
  committedOffsets,
  decodePushed,
  publishAt,
} from '../helpers/command-test-kit.ts';
import { produce, testKafka, topicReader } from '../helpers/kafka.ts';
import {
  april2026Event,
  financeForTest,
  infraForTest,
  serviceForTest,
  smallInvoice,
  testEnv,
} from '../helpers/service.ts';

describe('replay: re-pushes a chosen range of invoice.lines_ingested regardless of recorded state', () => {
  it('re-pushes one pushed invoice: finance answers from its idempotency store, a new pushed event, the pusher group untouched', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url });
    const topic = env.TOPIC_LINES_INGESTED as string;
    const group = env.PUSHER_GROUP_ID as string;
    const infra = await infraForTest(env);
    await serviceForTest(env, { pusher: true, recorder: false });
    const pushed = await topicReader(testKafka(), env.TOPIC_PUSHED_TO_FINANCE as string);

    const event = april2026Event();
    await publishAt(infra, event, 0);
    const first = await decodePushed(infra, (await pushed.waitFor(1))[0]);
    expect(first.action).toBe('created');
    const before = await committedAt(group, topic, '1');

    const output = captureOutput();
    const summary = await replayCommand(
      infra,
      { partitions: [0], fromOffset: 0n, toOffset: 0n, dryRun: false },
      output,
    );

    expect(summary).toEqual({
      read: 1,
      selected: 1,
      pushed: 1,
      created: 1,
      updated: 0,
      dead_lettered: 0,
      superseded: 0,
      skipped: 0,
      dry_run: false,
      interrupted: false,
    });
    const [, again] = await pushed.waitFor(2);
    expect(again?.key).toBe(invoiceKey(event));
    expect(await decodePushed(infra, again)).toMatchObject({
      causation_event_id: event.event_id,
      action: 'created', // the stored answer for the same Idempotency-Key: same content, nothing changed
      finance_invoice_id: first.finance_invoice_id,
    });
    expect(finance.invoices()).toHaveLength(1);
    expect(finance.stats()).toMatchObject({ byStatus: { '201': 2 }, idempotentReplays: 1 });
    expect(await committedOffsets(group, topic)).toEqual(before);
    expect(output.errLines[0]).toBe(`replay ${topic}: offsets 0:0..0`);
    expect(output.outLines).toEqual([
      'replay: 1 selected of 1 read\n  pushed 1 (created 1, updated 0), superseded 0, dead-lettered 0, skipped 0',
    ]);
    await pushed.close();
  });

  it('--key selects only matching records, --dry-run lists them and pushes nothing, bad ones are dead-lettered', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url });
    const infra = await infraForTest(env);
    const [a, b] = [smallInvoice('INV-A'), smallInvoice('INV-B', [2000, 200])];
    await publishAt(infra, a, 0);
    await publishAt(infra, b, 0);
    await produce(testKafka(), env.TOPIC_LINES_INGESTED as string, [
      { key: 'k:not-avro', value: Buffer.from('not avro'), partition: 0 },
    ]);

    const dry = captureOutput();
    const listed = await replayCommand(infra, { dryRun: true }, dry);
    expect(listed).toMatchObject({ read: 3, selected: 3, pushed: 0, dead_lettered: 0, dry_run: true });
    expect(dry.outLines.slice(0, 3)).toEqual([
      `0:0  ${invoiceKey(a)}  ${a.event_id}  2026-04-01  USD 1100  2 lines`,
      `0:1  ${invoiceKey(b)}  ${b.event_id}  2026-04-01  USD 2200  2 lines`,
      expect.stringMatching(/^0:2 {2}k:not-avro {2}would be dead-lettered: EVENT_UNDECODABLE: value is not/),
    ]);
    expect(finance.stats().requests).toBe(0);

    const onlyB = await replayCommand(infra, { key: invoiceKey(b), dryRun: false }, captureOutput());
    expect(onlyB).toMatchObject({ read: 3, selected: 1, pushed: 1, created: 1, skipped: 2 });
    expect(finance.invoices().map((row) => row.external_id)).toEqual(['INV-B']);

    const dlq = await topicReader(testKafka(), env.TOPIC_LINES_INGESTED_DLQ as string);
    const bad = await replayCommand(infra, { key: 'k:not-avro', dryRun: false }, captureOutput());
    expect(bad).toMatchObject({ selected: 1, pushed: 0, dead_lettered: 1 });
    const [dead] = await dlq.waitFor(1);
    expect(dead?.value?.toString()).toBe('not avro');
    expect(dead?.headers[DLQ_HEADER.topic]).toBe(env.TOPIC_LINES_INGESTED);
    expect(dead?.headers[DLQ_HEADER.offset]).toBe('2');
    expect(dead?.headers[DLQ_HEADER.errorCode]).toBe('EVENT_UNDECODABLE');
    await dlq.close();
  });

  it('holds records to the consumer’s limits: a dry run names too many lines or bytes, a run dead-letters them', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url, env: { EVENT_MAX_LINES: '2', EVENT_MAX_BYTES: '2048' } });
    const infra = await infraForTest(env);
    const [fits, long] = [smallInvoice('INV-FITS'), smallInvoice('INV-LONG', [100, 200, 300])];
    await publishAt(infra, fits, 0);
    await publishAt(infra, long, 0);
    await produce(testKafka(), env.TOPIC_LINES_INGESTED as string, [
      { key: 'k:huge', value: Buffer.alloc(4_096, 1), partition: 0 },
    ]);

    const dry = captureOutput();
    await replayCommand(infra, { dryRun: true }, dry);
    expect(dry.outLines.slice(0, 3)).toEqual([
      expect.stringMatching(/^0:0 {2}platform-admin:digitalocean:INV-FITS {2}/),
      expect.stringMatching(
        /^0:1 {2}\S+INV-LONG {2}would be dead-lettered: INVOICE_TOO_MANY_LINES: the invoice has 3 lines/,
      ),
      expect.stringMatching(
        /^0:2 {2}k:huge {2}would be dead-lettered: EVENT_TOO_LARGE: the value is 4096 bytes/,
      ),
    ]);
    const run = await replayCommand(infra, { dryRun: false }, captureOutput());
    expect(run).toMatchObject({ selected: 3, pushed: 1, dead_lettered: 2 });
    expect(finance.invoices().map((row) => row.external_id)).toEqual(['INV-FITS']);
  });

  it('--from-time/--to-time select the records produced in that window (both ends inclusive)', async () => {
    const env = testEnv({ secret: null });
    const infra = await infraForTest(env);
    const [e1, e2, e3, e4] = [
      smallInvoice('INV-T1'),
      smallInvoice('INV-T2'),
      smallInvoice('INV-T3'),
      smallInvoice('INV-T4'),
    ];
    await publishAt(infra, e1, 0);
    await sleep(50);
    const from = new Date();
    await publishAt(infra, e2, 0);
    await publishAt(infra, e3, 1);
    const to = new Date();
    await sleep(50);
    await publishAt(infra, e4, 0);

    const output = captureOutput();
    const summary = await replayCommand(infra, { fromTime: from, toTime: to, dryRun: true }, output);

    expect(summary).toMatchObject({ read: 2, selected: 2, dry_run: true });
    const lines = output.outLines.slice(0, 2).sort();
    expect(lines[0]).toMatch(new RegExp(`^0:1 {2}${invoiceKey(e2)} {2}${e2.event_id}`));
    expect(lines[1]).toMatch(new RegExp(`^1:0 {2}${invoiceKey(e3)} {2}${e3.event_id}`));
  });

  it('refuses to push without a finance secret, but a dry run works', async () => {
    const env = testEnv({ secret: null });
    const infra = await infraForTest(env);
    await expect(replayCommand(infra, { dryRun: false }, captureOutput())).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(
        /^replay cannot push: finance is not configured: set FINANCE_JWT_SECRET/,
      ),
    });
    expect(await replayCommand(infra, { dryRun: true }, captureOutput())).toMatchObject({ read: 0 });
  });

  it('stops when finance cannot take a record, finishing what is in flight and saying where to resume', async () => {
    const env = testEnv({ financeUrl: 'http://127.0.0.1:9', env: { FINANCE_MAX_RETRIES: '1' } });
    const infra = await infraForTest(env);
    await publishAt(infra, smallInvoice('INV-DOWN-1'), 3);
    await publishAt(infra, smallInvoice('INV-DOWN-2'), 3);

    const output = captureOutput();
    await expect(replayCommand(infra, { partitions: [3], dryRun: false }, output)).rejects.toMatchObject({
      code: 'FINANCE_UNAVAILABLE',
      message: expect.stringMatching(
        /^replay stopped at \S+ partition 3 offset [01]: .*resume with --partition 3 --from-offset 0$/,
      ),
    });
    expect(output.errLines.at(-2)).toMatch(/^replay: 2 selected of 2 read\n {2}pushed 0/);
    expect(output.errLines.at(-1)).toBe('replay: resume with --partition 3 --from-offset 0');
  });
});
