import { context, DiagLogLevel, diag, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  defaultResource,
  detectResources,
  resourceAttributesEnvDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import type { TracingConfig } from '../config/config.ts';

/**
 * The OpenTelemetry SDK, set up by hand rather than by `@opentelemetry/sdk-node`: a tracer provider
 * exporting in batches over OTLP/HTTP (JSON), the W3C trace-context propagator, AsyncLocalStorage for
 * the active span, and undici's instrumentation for the finance call's HTTP client span (it listens
 * on undici's diagnostics channels, so it needs no loader hook and works when loaded late). Imported
 * only when tracing is configured (tracing.ts). Returns what stops it again.
 */
export function startSdk(config: TracingConfig & { tracesUrl: string }, log: Logger): () => Promise<void> {
  // The SDK's own complaints (an export refused, a malformed OTEL_EXPORTER_OTLP_TIMEOUT) as log lines.
  const sdkLog = log.child({ component: 'opentelemetry' });
  diag.setLogger(
    {
      error: (message, ...args) => sdkLog.error({ args: args.map(String) }, withoutHeaderValue(message)),
      warn: (message, ...args) => sdkLog.warn({ args: args.map(String) }, withoutHeaderValue(message)),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  const provider = new TracerProvider({
    // OTEL_RESOURCE_ATTRIBUTES (e.g. deployment.environment.name=prod), then OTEL_SERVICE_NAME.
    resource: defaultResource()
      .merge(detectResources({ detectors: [resourceAttributesEnvDetector] }))
      .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName })),
    // An upstream that decided not to sample a trace is followed; everything else is sampled.
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: config.tracesUrl }),
        scheduledDelayMillis: config.scheduleDelayMs,
        maxQueueSize: config.maxQueueSize,
      }),
    ],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  // Only requests made inside a span (the finance import): no orphan traces of other HTTP calls.
  const unregister = registerInstrumentations({
    instrumentations: [new UndiciInstrumentation({ requireParentforSpans: true })],
    tracerProvider: provider,
  });
  return async () => {
    unregister();
    await provider.shutdown().catch((error: unknown) => sdkLog.warn({ err: error }, 'flushing spans failed'));
    trace.disable();
    propagation.disable();
    context.disable();
    diag.disable();
  };
}

/**
 * The exporter names a malformed OTEL_EXPORTER_OTLP_HEADERS entry with its value, which may be a
 * collector's API key: the value is left out of the log line.
 */
function withoutHeaderValue(message: string): string {
  return message.replace(/has invalid value \(.*\)/s, 'has invalid value (not shown)');
}
