import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { patchIdleRequestQueueTimer } from '../../../src/platform/kafka/request-queue-patch.ts';

const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (
  options: object,
) => {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
};

const quietLogger = {
  namespace: () => quietLogger,
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  info: () => undefined,
};

function queue() {
  return new RequestQueue({
    instrumentationEmitter: null,
    maxInFlightRequests: 1,
    requestTimeout: 1_000,
    enforceRequestTimeout: false,
    clientId: 't',
    broker: 'b',
    logger: quietLogger,
  });
}

describe('kafkajs request queue idle timer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is patched on kafkajs 2.2.4', () => {
    expect(patchIdleRequestQueueTimer()).toBe(true);
  });

  it('arms no timer while nothing waits to be sent', () => {
    vi.useFakeTimers();
    queue().scheduleCheckPendingRequests();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('still checks again later while a request waits', () => {
    vi.useFakeTimers();
    const waiting = queue();
    waiting.pending.push({});
    waiting.scheduleCheckPendingRequests();
    expect(vi.getTimerCount()).toBe(1);
  });
});
