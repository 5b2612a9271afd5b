import { describe, expect, it } from 'vitest';
import { memoryBudget } from '../../src/ops/memory-budget.ts';

const MIB = 2 ** 20;

describe('the memory budget logged at start', () => {
  it('names the container limit V8 sized its heap from', () => {
    expect(memoryBudget(512 * MIB, 24 * 1024 * MIB, 259 * MIB)).toMatchObject({
      v8_heap_limit_mib: 259,
      memory_limit_mib: 512,
      host_memory_mib: 24 * 1024,
    });
  });

  it('says none when no limit applies (0, or a limit above the host)', () => {
    expect(memoryBudget(0, 8 * 1024 * MIB, 2 * 1024 * MIB).memory_limit_mib).toBe('none');
    expect(memoryBudget(2 ** 44, 8 * 1024 * MIB, 2 * 1024 * MIB).memory_limit_mib).toBe('none');
  });

  it('reads this process by default', () => {
    const budget = memoryBudget();
    expect(budget.v8_heap_limit_mib).toBeGreaterThan(0);
    expect(budget.host_memory_mib).toBeGreaterThan(0);
  });
});
