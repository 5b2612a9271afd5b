import { describe, expect, it } from 'vitest';
import { ownMemoryCgroup, parseMemoryLimit } from '../../bench/memory-limit.ts';

describe('the memory benchmark’s container-like limit', () => {
  it('reads sizes in MiB or GiB, and none', () => {
    expect(parseMemoryLimit('512MiB')).toBe(512 * 2 ** 20);
    expect(parseMemoryLimit('256m')).toBe(256 * 2 ** 20);
    expect(parseMemoryLimit('1GiB')).toBe(2 ** 30);
    expect(parseMemoryLimit('none')).toBeUndefined();
    expect(() => parseMemoryLimit('half')).toThrow(/BENCH_MEMORY_LIMITS: "half"/);
  });

  it('finds the memory cgroup of a v1 hierarchy', () => {
    const v1 = '9:name=systemd:/\n4:memory:/process_api/abc\n0::/\n';
    expect(ownMemoryCgroup(v1, () => false)).toEqual({
      own: '/sys/fs/cgroup/memory/process_api/abc',
      limitFile: 'memory.limit_in_bytes',
    });
  });

  it('finds the unified cgroup of v2 where it has controllers', () => {
    const v2 = '0::/user.slice/session-1.scope\n';
    expect(ownMemoryCgroup(v2, (path) => path === '/sys/fs/cgroup/cgroup.controllers')).toEqual({
      own: '/sys/fs/cgroup/user.slice/session-1.scope',
      limitFile: 'memory.max',
    });
    expect(ownMemoryCgroup(v2, () => false)).toBeUndefined();
  });
});
