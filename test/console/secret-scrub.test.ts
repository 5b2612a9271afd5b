import { describe, expect, it } from 'vitest';
import { secretScrubber } from '../../src/console/secret-scrub.ts';

describe('console pages never carry a secret', () => {
  const scrub = secretScrubber([
    'finance-secret-that-is-long-enough',
    'token&with<markup>',
    undefined,
    'short',
  ]);

  it('replaces each configured secret, raw, HTML-escaped or URL-encoded', () => {
    const page = [
      'error: finance-secret-that-is-long-enough',
      '<td>token&amp;with&lt;markup&gt;</td>',
      '/login?back=token%26with%3Cmarkup%3E',
    ].join('\n');
    expect(scrub(page)).toBe(['error: (hidden)', '<td>(hidden)</td>', '/login?back=(hidden)'].join('\n'));
  });

  it('hides the password of any URL, keeping the user and host', () => {
    expect(scrub('connect postgres://svc:p4ss@db:5432/x failed')).toBe(
      'connect postgres://svc:(hidden)@db:5432/x failed',
    );
    expect(scrub('connect postgres://svc:p@ss%2Fw@rd@db:5432/x failed')).toBe(
      'connect postgres://svc:(hidden)@db:5432/x failed',
    );
  });

  it('ignores secrets too short to be told from ordinary words', () => {
    expect(scrub('a short note')).toBe('a short note');
  });
});
