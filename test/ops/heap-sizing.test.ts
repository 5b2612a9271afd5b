import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HeapSituation, heapArguments } from '../../src/ops/heap-sizing.ts';

const GIB = 2 ** 30;
const unlimited: HeapSituation = {
  heapMib: 160,
  constrained: 2 ** 64,
  host: 24 * GIB,
  execArgv: [],
  nodeOptions: '',
  alreadySized: false,
};

describe('the heap arguments start gives itself', () => {
  it('with no memory limit: SERVICE_HEAP_MIB of old generation and a young generation from it', () => {
    expect(heapArguments(unlimited)).toEqual(['--max-old-space-size=160', '--max-semi-space-size=8']);
    expect(heapArguments({ ...unlimited, constrained: 0 })).toEqual([
      '--max-old-space-size=160',
      '--max-semi-space-size=8',
    ]);
    expect(heapArguments({ ...unlimited, heapMib: 2048 })).toEqual([
      '--max-old-space-size=2048',
      '--max-semi-space-size=16',
    ]);
  });

  it('leaves the heap alone under a memory limit, with an operator’s heap argument, when off, or once sized', () => {
    expect(heapArguments({ ...unlimited, constrained: 512 * 2 ** 20 })).toBeUndefined();
    expect(heapArguments({ ...unlimited, execArgv: ['--max-old-space-size=300'] })).toBeUndefined();
    expect(heapArguments({ ...unlimited, nodeOptions: '--max-semi-space-size=8' })).toBeUndefined();
    expect(heapArguments({ ...unlimited, heapMib: 0 })).toBeUndefined();
    expect(heapArguments({ ...unlimited, alreadySized: true })).toBeUndefined();
  });

  it('never asks to start again twice, and only ever with two heap arguments', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 65_536 }),
        fc.array(fc.string()),
        fc.string(),
        (heapMib, execArgv, nodeOptions) => {
          const first = heapArguments({ ...unlimited, heapMib, execArgv, nodeOptions });
          if (first === undefined) return;
          expect(first).toHaveLength(2);
          // The process started again carries its arguments: it never starts itself a third time.
          expect(
            heapArguments({ ...unlimited, heapMib, execArgv: [...first, ...execArgv], nodeOptions }),
          ).toBe(undefined);
        },
      ),
    );
  });
});
