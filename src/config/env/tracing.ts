import { z } from 'zod';
import { defineVars } from './define-vars.ts';
import { bool, int, name } from './value-schemas.ts';

/** Empty (unset) or an http(s) URL: an OTLP/HTTP endpoint. */
const optionalUrl = z.union([
  z.literal(''),
  z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:4318' }),
]);

/**
 * The standard OpenTelemetry variables that decide whether and where traces go (the names and
 * meanings of the OpenTelemetry specification). Unset endpoints: tracing is off and the SDK is not
 * even loaded. The exporter reads its other OTEL_EXPORTER_OTLP_* variables (headers, timeout,
 * compression, certificates) itself; README.md lists them.
 */
export const TRACING_VARS = defineVars('Tracing (OpenTelemetry)', {
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    default: '',
    doc: 'Base URL of an OTLP/HTTP receiver (e.g. http://127.0.0.1:4318): traces go to its /v1/traces. Set (or the next one) to turn tracing on.',
    schema: optionalUrl,
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
    default: '',
    doc: 'Full URL traces are posted to (OTLP/HTTP, JSON), used as it is; takes precedence over OTEL_EXPORTER_OTLP_ENDPOINT.',
    schema: optionalUrl,
  },
  OTEL_SDK_DISABLED: {
    default: 'false',
    doc: 'true: no tracing even when an endpoint is set.',
    schema: bool,
  },
  OTEL_SERVICE_NAME: {
    default: 'invoice-finance-sync',
    doc: 'service.name of every span.',
    schema: name,
  },
  OTEL_BSP_SCHEDULE_DELAY: {
    default: '5000',
    doc: 'Longest wait before finished spans are exported (ms); a full batch of 512 goes at once.',
    schema: int(1, 600_000),
  },
  OTEL_BSP_MAX_QUEUE_SIZE: {
    default: '2048',
    doc: 'Finished spans waiting for export at most; beyond it new spans are dropped (never the pushes).',
    schema: int(512, 1_000_000),
  },
});
