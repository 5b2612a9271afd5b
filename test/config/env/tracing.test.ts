import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';

function messageOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('tracing configuration (the standard OTEL_* variables)', () => {
  it('is off with no endpoint, or with OTEL_SDK_DISABLED', () => {
    expect(loadConfig({}).tracing).toEqual({
      tracesUrl: undefined,
      serviceName: 'invoice-finance-sync',
      scheduleDelayMs: 5000,
      maxQueueSize: 2048,
    });
    const disabled = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' };
    expect(loadConfig(disabled).tracing.tracesUrl).toBeUndefined();
  });

  it('posts to the base endpoint’s /v1/traces, or to the traces endpoint as given', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing.tracesUrl).toBe(
      'http://collector:4318/v1/traces',
    );
    const both = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp/traces',
      OTEL_SERVICE_NAME: 'finance-sync-eu',
    };
    expect(loadConfig(both).tracing).toMatchObject({
      tracesUrl: 'https://traces.example.com/otlp/traces',
      serviceName: 'finance-sync-eu',
    });
  });

  it('refuses an endpoint that is no http(s) URL, naming the variable', () => {
    expect(messageOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' })).toContain(
      'OTEL_EXPORTER_OTLP_ENDPOINT: got "collector:4317", expected an http(s) URL',
    );
    expect(messageOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' })).toContain(
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    );
    expect(messageOf({ OTEL_SDK_DISABLED: 'maybe' })).toContain('OTEL_SDK_DISABLED');
    expect(messageOf({ OTEL_BSP_SCHEDULE_DELAY: '0' })).toContain('OTEL_BSP_SCHEDULE_DELAY');
  });
});
