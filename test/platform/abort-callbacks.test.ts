import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onAbort } from '../../src/platform/abort-callbacks.ts';

describe('onAbort', () => {
  it('runs every callback still registered once, when the signal aborts, through one listener', () => {
    const controller = new AbortController();
    const ran: number[] = [];
    const forgets = Array.from({ length: 100 }, (_, i) => onAbort(controller.signal, () => ran.push(i)));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    for (const forget of forgets.slice(0, 50)) forget();
    controller.abort();
    controller.abort();
    expect(ran).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
  });

  it('never runs a callback registered once the signal has aborted, as addEventListener would not (callers look at aborted first)', () => {
    const controller = new AbortController();
    const ran: string[] = [];
    onAbort(controller.signal, () => ran.push('before'));
    controller.abort();
    onAbort(controller.signal, () => ran.push('after'));
    expect(ran).toEqual(['before']);
  });
});
