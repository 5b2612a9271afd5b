import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localPath } from '../../src/console/console-http.ts';
import { isConsolePage } from '../../src/console/console-pages.ts';

const back = (candidate: string | null) => localPath(candidate, isConsolePage);

describe('where a sign-in leads back to', () => {
  it('keeps a page of the console with its query', () => {
    expect(back('/')).toBe('/');
    expect(back('/dead-letters?topic=recorder')).toBe('/dead-letters?topic=recorder');
    expect(back('/dead-letters/3/42')).toBe('/dead-letters/3/42');
    expect(back('/replay/preview?partitions=0&key=a:b:c')).toBe('/replay/preview?partitions=0&key=a:b:c');
  });

  it('sends everything else to /: other sites, header splitting, actions, probes, non-ASCII', () => {
    for (const hostile of [
      null,
      '',
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      '/%09/evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/x\r\nSet-Cookie: a=1',
      '/dead-letters\u0000',
      '/é',
      '/metrics',
      '/dead-letters/redrive',
      '/login',
      '/dead-letters/1/2/3',
      `/pushes?${'a'.repeat(3_000)}`,
    ]) {
      expect([hostile, back(hostile)]).toEqual([hostile, '/']);
    }
  });

  it('never returns anything but a console page of plain printable ASCII, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.webUrl(), fc.webPath()),
        (candidate) => {
          const result = back(candidate);
          expect(result).toMatch(/^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/);
          expect(isConsolePage(result.split('?')[0] as string)).toBe(true);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
