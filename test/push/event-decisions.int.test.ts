import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { SafeLongType } from '../../src/platform/registry/safe-long.ts';
import { eventually } from '../helpers/eventually.ts';
import { produce, testKafka, topicReader } from '../helpers/kafka.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import {
  financeForTest,
  infraForTest,
  publishLinesIngested,
  serviceForTest,
  smallInvoice,
  testEnv,
} from '../helpers/service.ts';

type ConsumerView = { systemicFailure?: string };

describe('pusher decisions about one event: dead-letter what is its own fault, never a valid invoice', () => {
  it('dead-letters an unreadable 2xx as UNEXPECTED after PUSHER_MAX_ATTEMPTS, then the partition goes on', async () => {
    const { finance, infra, pusherDeadLetters } = await pipelineForTest({
      env: { KAFKA_TOPIC_PARTITIONS: '1', PUSHER_MAX_ATTEMPTS: '3', PUSHER_PAUSE_ON_TRANSIENT_MS: '200' },
      financeFaults: { failNext: { count: 3, status: 200 } },
    });
    const dlq = await pusherDeadLetters();
    // Two versions of one invoice: the same key, so the second waits behind the first.
    const strange = smallInvoice('INV-STRANGE');
    const next = smallInvoice('INV-STRANGE', [2000, 200]);
    await publishLinesIngested(infra, strange);
    await publishLinesIngested(infra, next);

    const [dead] = await dlq.waitFor(1);
    await eventually(() => (finance.invoices().length === 1 ? true : undefined), { what: 'the next one' });
    expect(finance.invoices()[0]?.amount_gross_minor).toBe(2200);
    expect(dead?.key).toBe(invoiceKey(strange));
    expect(dead?.headers[DLQ_HEADER.offset]).toBe('0');
    expect(dead?.headers[DLQ_HEADER.errorCode]).toBe('UNEXPECTED');
    expect(dead?.headers[DLQ_HEADER.exceptionMessage]).toBe(
      'gave up after 3 attempts: finance answered 200 without data.id/action: {"errors":{"detail":"injected fault: failNext"}}',
    );
    expect(dead?.headers[DLQ_HEADER.exceptionStacktrace]).toMatch(
      /^SyncError: finance answered 200[^\n]*\n\s+at /,
    );
    // Three unreadable answers for the first version (a fault stores nothing), then the second's import.
    expect(finance.stats().byStatus).toEqual({ '200': 3, '201': 1 });
    expect(dlq.messages).toHaveLength(1);
  });

  it('dead-letters a record whose key is another invoice’s, or missing, as KEY_MISMATCH naming both', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url, env: { KAFKA_TOPIC_PARTITIONS: '1' } });
    const infra = await infraForTest(env);
    const encode = (event: ReturnType<typeof smallInvoice>) =>
      infra.codec.encode(infra.schemaIds.linesIngested, infra.contracts.linesIngested, event);
    const wrongKey = smallInvoice('INV-WRONG-KEY');
    const noKey = smallInvoice('INV-NO-KEY');
    const good = smallInvoice('INV-KEYED');
    await produce(testKafka(), env.TOPIC_LINES_INGESTED as string, [
      { key: 'platform-admin:digitalocean:INV-SOMETHING-ELSE', value: await encode(wrongKey) },
      { key: null, value: await encode(noKey) },
      { key: invoiceKey(good), value: await encode(good) },
    ]);
    const dlq = await topicReader(testKafka(), env.TOPIC_LINES_INGESTED_DLQ as string);
    await serviceForTest(env, { pusher: true, recorder: false });

    const dead = await dlq.waitFor(2);
    await eventually(() => (finance.invoices().length === 1 ? true : undefined), { what: 'the keyed one' });
    expect(
      dead.map((m) => [m.key, m.headers[DLQ_HEADER.errorCode], m.headers[DLQ_HEADER.exceptionMessage]]),
    ).toEqual([
      [
        'platform-admin:digitalocean:INV-SOMETHING-ELSE',
        'KEY_MISMATCH',
        'record has key "platform-admin:digitalocean:INV-SOMETHING-ELSE" but its value is invoice "platform-admin:digitalocean:INV-WRONG-KEY": the producer must key each event by {tenant_id}:{provider}:{provider_invoice_id}',
      ],
      [
        null,
        'KEY_MISMATCH',
        'record has no key but its value is invoice "platform-admin:digitalocean:INV-NO-KEY": the producer must key each event by {tenant_id}:{provider}:{provider_invoice_id}',
      ],
    ]);
    expect(finance.invoices().map((row) => row.external_id)).toEqual(['INV-KEYED']);
  });

  it('dead-letters an amount beyond the safe integer range as EVENT_INVALID naming the field, not undecodable', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url });
    const infra = await infraForTest(env);
    const event = smallInvoice('INV-UNSAFE');
    // Written with the registry's own schema and a long that can hold 2^53 + 1.
    const schema = JSON.parse(infra.contracts.linesIngested.schemaText);
    const writer = avro.Type.forSchema(schema, { registry: { long: SafeLongType } });
    const body = writer.toBuffer({ ...event, total_minor: 2n ** 53n + 1n });
    const header = Buffer.alloc(5);
    header.writeUInt32BE(infra.schemaIds.linesIngested, 1);
    await produce(testKafka(), env.TOPIC_LINES_INGESTED as string, [
      { key: invoiceKey(event), value: Buffer.concat([header, body]) },
    ]);
    const dlq = await topicReader(testKafka(), env.TOPIC_LINES_INGESTED_DLQ as string);
    await serviceForTest(env, { pusher: true, recorder: false });

    const [dead] = await dlq.waitFor(1);
    expect(dead?.headers[DLQ_HEADER.errorCode]).toBe('EVENT_INVALID');
    expect(dead?.headers[DLQ_HEADER.exceptionMessage]).toBe(
      'total_minor must be a safe integer of minor units, got 9007199254740993',
    );
  });

  it('retries a 408 and a 409 like any transient answer: pushed, never dead-lettered', async () => {
    const { finance, infra, pusherDeadLetters } = await pipelineForTest({
      financeFaults: { failNext: { count: 1, status: 408 } },
    });
    const dlq = await pusherDeadLetters();
    await publishLinesIngested(infra, smallInvoice('INV-408'));
    await eventually(() => (finance.invoices().length === 1 ? true : undefined), {
      what: 'pushed after 408',
    });
    finance.setFaults({ failNext: { count: 2, status: 409 } });
    await publishLinesIngested(infra, smallInvoice('INV-409'));
    await eventually(() => (finance.invoices().length === 2 ? true : undefined), {
      what: 'pushed after 409s',
    });
    expect(finance.stats().byStatus).toEqual({ '408': 1, '409': 2, '201': 2 });
    expect(dlq.messages).toHaveLength(0);
  });

  it('treats a wrong finance URL (404) as systemic: not ready naming SKYAI_FINANCE_URL, nothing dead-lettered, pushed once fixed', async () => {
    const finance = await financeForTest();
    const wrong = testEnv({ financeUrl: `${finance.url}/not-finance` });
    const infra = await infraForTest(wrong);
    const dlq = await topicReader(testKafka(), wrong.TOPIC_LINES_INGESTED_DLQ as string);
    const service = await serviceForTest(wrong, { pusher: true, recorder: false });
    await publishLinesIngested(infra, smallInvoice('INV-WRONG-URL'));

    const reason = await eventually(
      async () => {
        const readiness = await service.readiness();
        const [pusher] = readiness.consumers as ConsumerView[];
        return readiness.ready ? undefined : pusher?.systemicFailure;
      },
      { what: 'not ready with a systemic failure' },
    );
    expect(reason).toMatch(/^finance has no import endpoint here \(HTTP 404\): .*: check SKYAI_FINANCE_URL$/);
    await service.stop();
    expect(dlq.messages).toHaveLength(0);

    await serviceForTest({ ...wrong, SKYAI_FINANCE_URL: finance.url }, { pusher: true, recorder: false });
    await eventually(() => (finance.invoices().length === 1 ? true : undefined), {
      what: 'pushed once fixed',
    });
    expect(finance.invoices()[0]?.external_id).toBe('INV-WRONG-URL');
    expect(dlq.messages).toHaveLength(0);
  });
});
