import { ROOT_CONTEXT, type Span, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TracingConfig } from '../../src/config/config.ts';
import {
  contextOfHeaders,
  inSpan,
  type MessageHeaders,
  startTracing,
  type Tracing,
  traceHeaders,
  tracingOn,
} from '../../src/ops/tracing.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../../tools/otlp-receiver/otlp-receiver.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const silent = pino({ level: 'silent' });
const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

function config(tracesUrl: string | undefined): TracingConfig {
  return { tracesUrl, serviceName: 'tracing-test', scheduleDelayMs: 60_000, maxQueueSize: 2048 };
}

/** The trace id and parent of a span started under the context `headers` give. */
async function spanUnder(headers: MessageHeaders | undefined) {
  return inSpan('process', { parent: contextOfHeaders(headers) }, async (span) => {
    const own = (span as Span).spanContext();
    return { traceId: own.traceId, headers: traceHeaders() };
  });
}

describe('tracing off (no endpoint)', () => {
  it('loads no SDK: no span, no headers, a record’s traceparent is not even read', async () => {
    const tracing = await startTracing(config(undefined), silent);
    expect(tracingOn()).toBe(false);
    expect(contextOfHeaders({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` })).toBe(ROOT_CONTEXT);
    expect(traceHeaders()).toBeUndefined();
    await inSpan('process', {}, async (span) => {
      expect(span).toBeUndefined();
      expect(trace.getActiveSpan()).toBeUndefined();
    });
    await tracing.shutdown();
  });
});

describe('trace headers of Kafka records', () => {
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    tracing = await startTracing(config(receiver.tracesUrl), silent);
  });
  afterAll(async () => {
    await tracing.shutdown();
    await receiver.close();
  });

  it('continues a valid traceparent, as a string or as the bytes kafkajs hands over, with its tracestate', async () => {
    for (const value of [`00-${TRACE_ID}-${SPAN_ID}-01`, Buffer.from(`00-${TRACE_ID}-${SPAN_ID}-01`)]) {
      const span = await spanUnder({ traceparent: value, tracestate: Buffer.from('vendor=a') });
      expect(span.traceId).toBe(TRACE_ID);
      expect(span.headers?.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
      expect(span.headers?.traceparent).not.toContain(SPAN_ID);
      expect(span.headers?.tracestate).toBe('vendor=a');
    }
  });

  it('starts a new trace for a record without one, or with a malformed one', async () => {
    const malformed: (MessageHeaders | undefined)[] = [
      undefined,
      {},
      { traceparent: undefined },
      { traceparent: '' },
      { traceparent: `00-${'0'.repeat(32)}-${SPAN_ID}-01` }, // all-zero trace id
      { traceparent: `00-${TRACE_ID}-${'0'.repeat(16)}-01` }, // all-zero span id
      { traceparent: `ff-${TRACE_ID}-${SPAN_ID}-01` }, // version ff is invalid
      { traceparent: `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01` },
      { traceparent: `00-${TRACE_ID}-${SPAN_ID}` },
      { traceparent: [] },
      { traceparent: Buffer.from([0xff, 0xfe, 0x00]) },
      { Traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` }, // header names are exact in Kafka
    ];
    const traces = new Set<string>();
    for (const headers of malformed) {
      const span = await spanUnder(headers);
      expect(span.traceId).not.toBe(TRACE_ID);
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
      traces.add(span.traceId);
    }
    expect(traces.size).toBe(malformed.length);
  });

  it('never throws, whatever the headers hold: a valid parent is continued, anything else starts a trace', async () => {
    const headerValue = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes)),
      fc.tuple(hex(32), hex(16)).map(([t, s]) => `00-${t}-${s}-01`),
      fc.constant(undefined),
    );
    const headers = fc.dictionary(
      fc.oneof(fc.constantFrom('traceparent', 'tracestate', '__proto__', 'constructor'), fc.string()),
      fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })),
    );
    await fc.assert(
      fc.asyncProperty(headers, async (carrier) => {
        const parent = trace.getSpanContext(contextOfHeaders(carrier as MessageHeaders));
        const span = await spanUnder(carrier as MessageHeaders);
        expect(span.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
        if (parent) expect(span.traceId).toBe(parent.traceId);
      }),
      { numRuns: 500 },
    );
  });
});
