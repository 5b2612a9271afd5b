import { describe, expect, it } from 'vitest';
import { IdempotencyStore } from '../../../tools/finance-server/idempotency-store.ts';

const created = { status: 201, body: { data: { id: 'a', action: 'created' } } };

describe('IdempotencyStore', () => {
  it('recalls an answer for the same tenant, key and body only', () => {
    const store = new IdempotencyStore(10);
    store.remember('t1', 'k', 'sha-1', created);
    expect(store.recall('t1', 'k', 'sha-1')).toEqual(created);
    expect(store.recall('t2', 'k', 'sha-1')).toBeUndefined();
    expect(store.recall('t1', 'k', 'sha-2')).toBeUndefined();
    expect(store.recall('t1', 'other', 'sha-1')).toBeUndefined();
  });

  it('keeps at most its capacity, forgetting the least recently used key', () => {
    const store = new IdempotencyStore(2);
    store.remember('t', 'a', 'sha', created);
    store.remember('t', 'b', 'sha', created);
    store.recall('t', 'a', 'sha'); // a is now the most recently used
    store.remember('t', 'c', 'sha', created);
    expect(store.size).toBe(2);
    expect(store.recall('t', 'b', 'sha')).toBeUndefined();
    expect(store.recall('t', 'a', 'sha')).toEqual(created);
    expect(store.recall('t', 'c', 'sha')).toEqual(created);
  });

  it('hands out copies, so a caller cannot change a stored answer', () => {
    const store = new IdempotencyStore(1);
    store.remember('t', 'a', 'sha', created);
    const recalled = store.recall('t', 'a', 'sha') as { body: { data: { id: string } } };
    recalled.body.data.id = 'changed';
    expect(store.recall('t', 'a', 'sha')).toEqual(created);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new IdempotencyStore(0)).toThrow(
      'finance server: idempotency capacity must be a positive integer, got 0',
    );
  });
});
