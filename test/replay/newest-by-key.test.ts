import { describe, expect, it } from 'vitest';
import { NewestByKey } from '../../src/replay/newest-by-key.ts';

describe('newest record per key', () => {
  it('says a record is superseded by a later one of its key, even one past the range', () => {
    const index = new NewestByKey();
    index.see('a', 3n, true);
    index.see('b', 4n, true);
    index.see('a', 9n, false);
    expect(index.supersededBy('a', 3n)).toBe(9n);
    expect(index.supersededBy('b', 4n)).toBeUndefined();
  });

  it('keeps no key first met after the range, and never supersedes a record without a key', () => {
    const index = new NewestByKey();
    index.see('late', 10n, false);
    index.see(null, 1n, true);
    expect(index.keys).toBe(0);
    expect(index.supersededBy(null, 0n)).toBeUndefined();
  });
});
