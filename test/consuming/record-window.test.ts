import { describe, expect, it } from 'vitest';
import { RecordWindow } from '../../src/consuming/record-window.ts';

describe('RecordWindow', () => {
  it('lets the next fetch go on at once below its high-water mark, and once a record finishes at it', async () => {
    const window = new RecordWindow(2);
    window.take();
    await window.belowHighWater();
    window.take();
    let resumed = false;
    const waiting = window.belowHighWater().then(() => {
      resumed = true;
    });
    await Promise.resolve();
    expect(resumed).toBe(false);
    window.finish();
    await waiting;
    expect(window.open).toBe(1);
  });

  it('stops waiting when the signal aborts, full or not', async () => {
    const window = new RecordWindow(1);
    window.take();
    const stop = new AbortController();
    const waiting = window.belowHighWater(stop.signal);
    stop.abort();
    await waiting;
    expect(window.full).toBe(true);
  });

  it('is drained once every record taken has finished', async () => {
    const window = new RecordWindow(5);
    window.take();
    window.take();
    const order: string[] = [];
    const drained = window.drained().then(() => order.push('drained'));
    window.finish();
    order.push('one left');
    window.finish();
    await drained;
    expect(order).toEqual(['one left', 'drained']);
  });

  it('is full once the open records hold the most bytes, and lets in one record larger than that', async () => {
    const window = new RecordWindow(100, 1_000);
    window.take(5_000);
    expect(window.full).toBe(true);
    let room = false;
    const below = window.belowHighWater().then(() => {
      room = true;
    });
    window.take(10);
    window.finish(5_000);
    await below;
    expect(room).toBe(true);
    expect(window.bytes).toBe(10);
    window.take(990);
    expect(window.full).toBe(true);
  });

  it('rejects a high-water mark below 1', () => {
    expect(() => new RecordWindow(0)).toThrow(
      expect.objectContaining({
        code: 'INTERNAL_INVARIANT',
        message: 'highWater must be a whole number >= 1, got 0',
      }),
    );
  });
});
