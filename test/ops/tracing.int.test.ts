import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { InvoiceLinesIngested } from '../../src/invoice/invoice-events.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import type { Infrastructure } from '../../src/service/infrastructure.ts';
import { type ReceivedSpan, startOtlpReceiver } from '../../tools/otlp-receiver/otlp-receiver.ts';
import { eventually } from '../helpers/eventually.ts';
import { topicReaderForTest } from '../helpers/kafka.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { logCapture, smallInvoice } from '../helpers/service.ts';

const CONSUMER = 5;
const PRODUCER = 4;
const CLIENT = 3;

async function publishWithHeaders(
  infra: Infrastructure,
  event: InvoiceLinesIngested,
  headers: Record<string, string>,
): Promise<void> {
  const value = await infra.codec.encode(infra.schemaIds.linesIngested, infra.contracts.linesIngested, event);
  await infra.sender.send({
    topic: infra.config.topics.linesIngested,
    key: invoiceKey(event),
    value,
    headers,
  });
}

/** The one span of `trace` named `name`. */
function one(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((span) => span.name === name);
  expect(found.map((span) => span.name)).toEqual([name]);
  return found[0] as ReceivedSpan;
}

async function tracedPipeline() {
  const receiver = await startOtlpReceiver();
  onTestFinished(() => receiver.close());
  const { lines, logger } = logCapture();
  const pipeline = await pipelineForTest({
    roles: { recorder: true },
    logger,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' },
  });
  const topics = pipeline.env;
  const linesTopic = topics.TOPIC_LINES_INGESTED as string;
  const pushedTopic = topics.TOPIC_PUSHED_TO_FINANCE as string;
  const expected = [
    `process ${linesTopic}`,
    `decode ${linesTopic}`,
    'normalize invoice',
    'skip check',
    'finance import',
    'POST',
    `send ${pushedTopic}`,
    `commit ${linesTopic}`,
    `process ${pushedTopic}`,
    `decode ${pushedTopic}`,
    'INSERT cloud_invoices',
    `commit ${pushedTopic}`,
  ];
  /** Every span of the trace, once each expected one has arrived. */
  const traceOf = (traceId: string) =>
    eventually(
      () => {
        const spans = receiver.spans().filter((span) => span.traceId === traceId);
        return expected.every((name) => spans.some((span) => span.name === name)) ? spans : undefined;
      },
      { what: `every span of trace ${traceId}` },
    );
  return { ...pipeline, receiver, lines, linesTopic, pushedTopic, traceOf };
}

describe('tracing: an invoice followed end to end over OTLP', () => {
  it('continues the traceparent of the record through decode, finance, the announcement, the commit and the recorder', async () => {
    const { infra, finance, receiver, lines, linesTopic, pushedTopic, traceOf, pushed } =
      await tracedPipeline();
    const traceId = randomBytes(16).toString('hex');
    const upstreamSpan = randomBytes(8).toString('hex');
    const event = smallInvoice('INV-TRACED-1');
    await publishWithHeaders(infra, event, {
      traceparent: `00-${traceId}-${upstreamSpan}-01`,
      tracestate: 'upstream=ingest',
    });

    const spans = await traceOf(traceId);
    const [published] = await (await topicReaderForTest(linesTopic)).waitFor(1);
    const process = one(spans, `process ${linesTopic}`);
    expect(process).toMatchObject({
      parentSpanId: upstreamSpan,
      kind: CONSUMER,
      service: 'invoice-finance-sync',
    });
    expect(process.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': linesTopic,
      'messaging.destination.partition.id': String(published?.partition),
      'messaging.kafka.offset': 0,
      'invoice.key': invoiceKey(event),
      'invoice.tenant_id': 'platform-admin',
      'invoice.outcome': 'created',
    });
    for (const child of [`decode ${linesTopic}`, 'normalize invoice', 'skip check', 'finance import']) {
      expect(one(spans, child).parentSpanId, child).toBe(process.spanId);
    }
    const send = one(spans, `send ${pushedTopic}`);
    expect(send).toMatchObject({ parentSpanId: process.spanId, kind: PRODUCER });
    expect(one(spans, `commit ${linesTopic}`)).toMatchObject({ parentSpanId: process.spanId, kind: CLIENT });
    expect(one(spans, `commit ${linesTopic}`).attributes['messaging.kafka.offset']).toBe(1);

    // The HTTP client span (undici's instrumentation) and the header finance received.
    const post = one(spans, 'POST');
    expect(post).toMatchObject({ parentSpanId: one(spans, 'finance import').spanId, kind: CLIENT });
    expect(post.attributes['http.response.status_code']).toBe(201);
    const [received] = finance.imports();
    expect(received?.traceparent).toBe(`00-${traceId}-${post.spanId}-01`);
    expect(received?.tracestate).toBe('upstream=ingest');

    // The announcement carries the producer span's context to its subscribers.
    const [announcement] = await (await pushed()).waitFor(1);
    expect(announcement?.headers.traceparent).toBe(`00-${traceId}-${send.spanId}-01`);
    expect(announcement?.headers.tracestate).toBe('upstream=ingest');

    // The recorder continues the trace from those headers.
    const recorded = one(spans, `process ${pushedTopic}`);
    expect(recorded).toMatchObject({ parentSpanId: send.spanId, kind: CONSUMER });
    expect(recorded.attributes['invoice.outcome']).toBe('recorded');
    const write = one(spans, 'INSERT cloud_invoices');
    expect(write).toMatchObject({ parentSpanId: recorded.spanId, kind: CLIENT });
    expect(write.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.collection.name': 'cloud_invoices',
    });
    expect(one(spans, `decode ${pushedTopic}`).parentSpanId).toBe(recorded.spanId);
    expect(one(spans, `commit ${pushedTopic}`).parentSpanId).toBe(recorded.spanId);
    expect(spans.every((span) => span.statusCode !== 2)).toBe(true);
    expect(receiver.spans().filter((span) => span.traceId === traceId)).toHaveLength(12);

    // Log lines written inside a span carry its ids.
    const pushedLine = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'pushed to finance');
    expect(pushedLine).toMatchObject({ trace_id: traceId, span_id: process.spanId });
  });

  it('starts a new trace for a record without traceparent, or with a malformed one', async () => {
    const { infra, finance, publish, linesTopic, pushedTopic, receiver, traceOf, pushed } =
      await tracedPipeline();
    const plain = smallInvoice('INV-UNTRACED-1');
    await publish(plain);
    const malformed = smallInvoice('INV-MALFORMED-1');
    await publishWithHeaders(infra, malformed, { traceparent: '00-not-a-trace-01', tracestate: '\u0000' });

    const rootOf = (event: InvoiceLinesIngested) =>
      eventually(() =>
        receiver
          .spans()
          .find(
            (span) =>
              span.name === `process ${linesTopic}` && span.attributes['invoice.key'] === invoiceKey(event),
          ),
      );
    for (const event of [plain, malformed]) {
      const root = await rootOf(event);
      expect(root.parentSpanId).toBe('');
      const spans = await traceOf(root.traceId);
      const post = one(spans, 'POST');
      const received = finance.imports().find((entry) => entry.external_id === event.provider_invoice_id);
      expect(received?.traceparent).toBe(`00-${root.traceId}-${post.spanId}-01`);
      const announcements = await (await pushed()).waitFor(2);
      const announcement = announcements.find((message) => message.key === invoiceKey(event));
      expect(announcement?.headers.traceparent).toBe(
        `00-${root.traceId}-${one(spans, `send ${pushedTopic}`).spanId}-01`,
      );
    }
    const roots = await Promise.all([plain, malformed].map(rootOf));
    expect(new Set(roots.map((root) => root.traceId)).size).toBe(2);
  });

  it('spans a refused record: the failed decode, the process span with its error code, the dead letter and the commit', async () => {
    const { infra, receiver, linesTopic, pusherDeadLetters } = await tracedPipeline();
    const traceId = randomBytes(16).toString('hex');
    await infra.sender.send({
      topic: linesTopic,
      key: 'platform-admin:digitalocean:INV-POISON-1',
      value: Buffer.from('not avro'),
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    await (await pusherDeadLetters()).waitFor(1);
    const spans = await eventually(() => {
      const found = receiver.spans().filter((span) => span.traceId === traceId);
      return found.some((span) => span.name === `commit ${linesTopic}`) ? found : undefined;
    });
    const process = one(spans, `process ${linesTopic}`);
    expect(process.statusCode).toBe(2);
    expect(process.attributes).toMatchObject({
      'error.type': 'EVENT_UNDECODABLE',
      'invoice.outcome': 'failed',
    });
    expect(one(spans, `decode ${linesTopic}`)).toMatchObject({ parentSpanId: process.spanId, statusCode: 2 });
    expect(one(spans, 'dead-letter')).toMatchObject({ parentSpanId: process.spanId });
    expect(one(spans, 'dead-letter').attributes['invoice.outcome']).toBe('dead_lettered');
    expect(one(spans, `commit ${linesTopic}`).parentSpanId).toBe(process.spanId);
    expect(spans.map((span) => span.name)).not.toContain('finance import');
  });
});
