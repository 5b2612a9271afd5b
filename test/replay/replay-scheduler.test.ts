import { describe, expect, it } from 'vitest';
import { ReplayScheduler } from '../../src/replay/replay-scheduler.ts';

describe('replay scheduler', () => {
  it('admits at most four times the finance in-flight bound, so the reader never runs ahead of the window', async () => {
    const scheduler = new ReplayScheduler({ maxInFlight: 2 });
    const gates: (() => void)[] = [];
    const push = () => new Promise<void>((resolve) => gates.push(resolve));
    let admitted = 0;
    const reader = (async () => {
      for (let i = 0; i < 20; i++) {
        await scheduler.schedule(`key-${i}`, push);
        admitted += 1;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([admitted, gates.length]).toEqual([8, 4]); // 8 admitted, 4 pushing, 4 waiting for a slot
    while (admitted < 20 || gates.length > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await reader;
    await scheduler.drain();
  });

  it('stops starting pushes after the first failure and rethrows it from drain', async () => {
    const scheduler = new ReplayScheduler({ maxInFlight: 1 });
    const started: number[] = [];
    await scheduler.schedule('a', async () => {
      started.push(1);
      throw new Error('finance down');
    });
    await scheduler.schedule('b', async () => {
      started.push(2);
    });
    await expect(scheduler.drain()).rejects.toThrow('finance down');
    expect(started).toEqual([1]);
    expect(scheduler.failure).toBeDefined();
  });
});
