import { describe, expect, it } from 'vitest';
import type { PushNote } from '../../src/push/push-observer.ts';
import { keyParts, RecentPushes } from '../../src/push/recent-pushes.ts';

const skipped = (key: string, at: number): PushNote => ({ outcome: 'skipped', at, key, sha256: 'aa' });

describe('recent pushes: a bounded ring of outcomes, newest first', () => {
  it('keeps the last `capacity` outcomes, newest first', () => {
    const recent = new RecentPushes(3);
    for (let at = 1; at <= 5; at++) recent.note(skipped(`t:p:INV-${at}`, at));
    expect(recent.list().map((n) => n.at)).toEqual([5, 4, 3]);
  });

  it('filters by tenant, provider and exact key, and lists what can be filtered on', () => {
    const recent = new RecentPushes(10);
    recent.note(skipped('acme:aws:INV-1', 1));
    recent.note(skipped('acme:gcp:INV-2', 2));
    recent.note(skipped('globex:aws:INV-3', 3));
    expect(recent.list({ tenant: 'acme' }).map((n) => n.at)).toEqual([2, 1]);
    expect(recent.list({ provider: 'aws' }).map((n) => n.at)).toEqual([3, 1]);
    expect(recent.list({ tenant: 'acme', provider: 'aws' }).map((n) => n.at)).toEqual([1]);
    expect(recent.list({ key: 'acme:gcp:INV-2' }).map((n) => n.at)).toEqual([2]);
    expect(recent.facets()).toEqual({ tenants: ['acme', 'globex'], providers: ['aws', 'gcp'] });
  });

  it('splits a key into tenant, provider and an invoice id that may hold colons', () => {
    expect(keyParts('platform-admin:aws:INV:2026:04')).toEqual({
      tenant: 'platform-admin',
      provider: 'aws',
      invoiceId: 'INV:2026:04',
    });
    expect(keyParts('no-colons')).toBeUndefined();
    for (const invalid of ['acme\n:aws:INV-1', 'acme::INV-1', 'acme:aws:', 'acme:aws:INV 1', 'é:aws:INV-1']) {
      expect([invalid, keyParts(invalid)]).toEqual([invalid, undefined]);
    }
  });

  it('refuses a capacity that could hold nothing', () => {
    expect(() => new RecentPushes(0)).toThrow(/capacity must be a positive integer, got 0/);
  });
});
