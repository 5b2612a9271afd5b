import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/replay/pacer.ts';

describe('pacer', () => {
  it('spaces starts by 1/rate, without a burst at the start', () => {
    const now = 1_000;
    const pacer = new Pacer(50, () => now);
    expect([pacer.reserve(), pacer.reserve(), pacer.reserve()]).toEqual([0, 20, 40]);
  });

  it('does not bank idle time: after a pause the spacing starts again from now', () => {
    let now = 0;
    const pacer = new Pacer(10, () => now);
    pacer.reserve();
    now = 5_000;
    expect([pacer.reserve(), pacer.reserve()]).toEqual([0, 100]);
  });
});
