import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printable, printableLine } from '../../src/dead-letters/display-text.ts';

describe('text from outside, made printable', () => {
  it('escapes control characters and stays bounded when they are what makes it long', () => {
    expect(printable('a\u001b[31mb')).toBe('a\\u001b[31mb');
    const controls = printable('\u0000'.repeat(5_000), 100);
    expect(controls).toBe(`${'\\u0000'.repeat(16)}… (29904 more characters)`);
    expect(printableLine('\n'.repeat(300), 10)).toBe('\\n\\n\\n\\n\\n… (590 more characters)');
  });

  it('never cuts an escape or a surrogate pair in half, and never exceeds the bound by more than its note', () => {
    fc.assert(
      fc.property(
        // No backslash of its own: the check below reads one as the start of an escape.
        fc.string({ unit: 'binary', maxLength: 400 }).map((t) => t.replaceAll('\\', '/')),
        fc.integer({ min: 8, max: 200 }),
        (text, max) => {
          const shown = printableLine(text, max);
          const [body = ''] = shown.split('… (');
          expect(body.length).toBeLessThanOrEqual(max);
          expect(body).not.toMatch(/\\u[0-9a-f]{0,3}$/);
          expect(body).not.toMatch(/[\ud800-\udbff]$/);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
