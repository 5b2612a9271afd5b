import { describe, expect, it } from 'vitest';
import { logCapture } from '../helpers/service.ts';

describe('logger', () => {
  it('drops passwords and SASL settings wherever a careless line puts them', () => {
    const { lines, logger } = logCapture();
    const sasl = { mechanism: 'scram-sha-512', username: 'billing', password: 'p4ssw0rd' };
    logger.info({ password: 'p4ssw0rd', kafka: { sasl }, registry: { auth: { password: 'p4ssw0rd' } } }, 'x');
    logger.info({ sasl }, 'y');
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain('p4ssw0rd');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ kafka: {}, registry: { auth: {} } });
  });
});
