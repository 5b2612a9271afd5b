import { describe, expect, it } from 'vitest';
import { KeyLanes, Semaphore } from '../../src/consuming/key-lanes.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('KeyLanes', () => {
  it('runs different keys at once and one key in order', async () => {
    const lanes = new KeyLanes(new Semaphore(10));
    const log: string[] = [];
    const gateA1 = deferred();
    const a1 = lanes.run('a', async () => {
      log.push('a1 start');
      await gateA1.promise;
      log.push('a1 end');
    });
    const a2 = lanes.run('a', async () => void log.push('a2'));
    const b1 = lanes.run('b', async () => void log.push('b1'));
    await b1;
    expect(log).toEqual(['a1 start', 'b1']);
    gateA1.resolve();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it('never runs more tasks at once than the semaphore allows', async () => {
    const lanes = new KeyLanes(new Semaphore(3));
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        lanes.run(`k${i}`, async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it('goes on with the next task of a key after one fails', async () => {
    const lanes = new KeyLanes(new Semaphore(1));
    const failed = lanes.run('a', async () => {
      throw new Error('boom');
    });
    const next = lanes.run('a', async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });

  it('refuses a semaphore without permits', () => {
    expect(() => new Semaphore(0)).toThrow(
      expect.objectContaining({ code: 'INTERNAL_INVARIANT', message: 'permits must be >= 1, got 0' }),
    );
  });
});
