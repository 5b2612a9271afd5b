import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { TracingConfig } from '../config/config.ts';
import { codeOf, failureClassOf } from '../failures/errors.ts';

/**
 * Tracing as the flows see it: the OpenTelemetry API only. The SDK (tracing-sdk.ts) is imported only
 * when an OTLP endpoint is configured; until then nothing here does more than test one boolean, so
 * the hot path pays nothing for tracing that is off.
 */
const TRACER_NAME = 'invoice-finance-sync';

let active: { users: number; stop(): Promise<void> } | undefined;

/** True while the SDK runs in this process (some service started it with an endpoint). */
export function tracingOn(): boolean {
  return active !== undefined;
}

export interface Tracing {
  /** Exports what is buffered and, for the process's last user, stops the SDK. */
  shutdown(): Promise<void>;
}

const NO_TRACING: Tracing = { shutdown: async () => undefined };

/** Starts the SDK when `config.tracesUrl` is set (once per process; later callers share it). */
export async function startTracing(config: TracingConfig, log: Logger): Promise<Tracing> {
  if (config.tracesUrl === undefined) return NO_TRACING;
  if (!active) {
    const { startSdk } = await import('./tracing-sdk.ts');
    const stop = startSdk({ ...config, tracesUrl: config.tracesUrl }, log);
    active = { users: 0, stop };
    log.info(
      { traces_url: config.tracesUrl, service_name: config.serviceName },
      'tracing on: spans exported over OTLP/HTTP',
    );
  }
  const sdk = active;
  sdk.users++;
  let stopped = false;
  return {
    shutdown: async () => {
      if (stopped) return;
      stopped = true;
      if (--sdk.users > 0) return;
      if (active === sdk) active = undefined;
      await sdk.stop();
    },
  };
}

/** Kafka header values as kafkajs hands them over: anything a producer put there. */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** Reads W3C trace headers from Kafka headers; anything not a header value reads as absent. */
const kafkaHeaderGetter: TextMapGetter<MessageHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = Object.hasOwn(carrier, key) ? carrier[key] : undefined;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') return first;
    return Buffer.isBuffer(first) ? first.toString('latin1') : undefined;
  },
};

/**
 * The context a record's `traceparent` (and `tracestate`) header continues; the root context when it
 * has none, or one the W3C propagator refuses (malformed, all-zero ids, an unknown version's
 * shape): its record then starts a new trace. Never throws, whatever the headers hold.
 */
export function contextOfHeaders(headers: MessageHeaders | undefined): Context {
  if (!active || headers === undefined || headers === null || typeof headers !== 'object')
    return ROOT_CONTEXT;
  try {
    return propagation.extract(ROOT_CONTEXT, headers, kafkaHeaderGetter);
  } catch {
    return ROOT_CONTEXT;
  }
}

/** `traceparent` (and `tracestate`) of the active span, to put in a record's headers; undefined when off. */
export function traceHeaders(): Record<string, string> | undefined {
  if (!active) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

export interface SpanSpec {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; default: the active context. */
  parent?: Context;
}

/**
 * Runs `work` in a span named `name` (active while it runs, so its log lines carry the ids and its
 * calls are its children). A throw ends the span with an error status, the catalogue's code as
 * `error.type` and the failure class. Tracing off: `work` runs as it is, with no span.
 */
export function inSpan<T>(name: string, spec: SpanSpec, work: (span?: Span) => Promise<T>): Promise<T> {
  if (!active) return work();
  const tracer = trace.getTracer(TRACER_NAME);
  const options = { kind: spec.kind, attributes: spec.attributes };
  return tracer.startActiveSpan(name, options, spec.parent ?? context.active(), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** `inSpan` for synchronous work (validation, normalization). */
export function inSpanSync<T>(name: string, spec: SpanSpec, work: (span?: Span) => T): T {
  if (!active) return work();
  const tracer = trace.getTracer(TRACER_NAME);
  const options = { kind: spec.kind, attributes: spec.attributes };
  return tracer.startActiveSpan(name, options, spec.parent ?? context.active(), (span) => {
    try {
      return work(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed by `error`: status, `error.type` (the catalogue's code), the failure class. */
export function failed(span: Span, error: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
  span.setAttributes({ 'error.type': codeOf(error), 'invoice.failure_class': failureClassOf(error) });
}

/** Adds attributes to the active span (e.g. the tenant once decoded, the outcome); nothing when off. */
export function annotate(attributes: Attributes): void {
  if (!active) return;
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** Starts a span that is not made active (one whose start and end are apart, e.g. a commit's). */
export function startSpan(name: string, spec: SpanSpec): Span {
  return trace
    .getTracer(TRACER_NAME)
    .startSpan(name, { kind: spec.kind, attributes: spec.attributes }, spec.parent);
}

/** `trace_id` and `span_id` of the active span, for every log line written inside one (pino mixin). */
export function traceIdsForLog(): { trace_id?: string; span_id?: string } {
  // A fresh object each time: pino merges the line's own fields into what the mixin returns.
  if (!active) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
