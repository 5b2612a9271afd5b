import { describe, expect, it } from 'vitest';
import { scrubCredentials } from '../../src/ops/log-scrub.ts';
import { logCapture } from '../helpers/service.ts';

describe('scrubCredentials', () => {
  it('removes credentials at the top, one level down, and passwords two levels down', () => {
    const line = {
      authorization: 'Bearer a',
      headers: { authorization: 'Bearer b', accept: 'application/json' },
      finance: { secret: 's', url: 'https://finance' },
      request: { headers: { authorization: 'Bearer c', host: 'finance' }, token: 't' },
      registry: { auth: { username: 'u', password: 'p' } },
      kafka: { sasl: { password: 'p' } },
      event_id: 'e',
    };
    expect(scrubCredentials(line)).toEqual({
      headers: { accept: 'application/json' },
      finance: { url: 'https://finance' },
      request: { headers: { host: 'finance' } },
      registry: { auth: { username: 'u' } },
      kafka: {},
      event_id: 'e',
    });
    expect(line.headers.authorization).toBe('Bearer b'); // the caller's object is left alone
  });

  it('returns the very same object when there is nothing to remove', () => {
    const line = { topic: 't', partition: 3, offset: '42', invoice_key: 'k', nested: { a: { b: 1 } } };
    expect(scrubCredentials(line)).toBe(line);
  });

  it('keeps an error an error while removing what it carries', () => {
    const error = Object.assign(new Error('refused'), { headers: { authorization: 'Bearer x' }, code: 'E' });
    const scrubbed = scrubCredentials({ err: error }).err;
    expect(scrubbed).toBeInstanceOf(Error);
    expect(scrubbed).toMatchObject({ message: 'refused', code: 'E', headers: {} });
    expect(scrubbed.stack).toBe(error.stack);
  });

  it('never reaches a line through a child logger either', () => {
    const { lines, logger } = logCapture();
    logger
      .child({ token: 'tok-123', finance: { secret: 'sec-456' } })
      .info({ headers: { authorization: 'Bearer x' } }, 'm');
    expect(lines.join('\n')).not.toMatch(/tok-123|sec-456|Bearer x/);
  });
});
