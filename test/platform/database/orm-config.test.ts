import { describe, expect, it } from 'vitest';
import { ormConfig, pgSsl } from '../../../src/platform/database/orm-config.ts';

const CA = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';

describe('PostgreSQL TLS options', () => {
  it('connects without TLS when sslmode asks for none', () => {
    expect(pgSsl({ mode: 'disable', ca: undefined })).toBe(false);
  });

  it('encrypts without checking the certificate for require, as libpq does', () => {
    expect(pgSsl({ mode: 'require', ca: undefined })).toEqual({ rejectUnauthorized: false });
  });

  it('checks the chain but not the host name for verify-ca, and for require with a CA', () => {
    for (const mode of ['verify-ca', 'require'] as const) {
      const ssl = pgSsl({ mode, ca: CA });
      expect(ssl).toMatchObject({ rejectUnauthorized: true, ca: CA });
      expect((ssl || undefined)?.checkServerIdentity?.('db.internal', {} as never)).toBeUndefined();
    }
  });

  it('checks chain and host name for verify-full, with the system CAs when no CA file is given', () => {
    expect(pgSsl({ mode: 'verify-full', ca: CA })).toEqual({ rejectUnauthorized: true, ca: CA });
    expect(pgSsl({ mode: 'verify-full', ca: undefined })).toEqual({ rejectUnauthorized: true });
  });

  it('hands the TLS options to pg through MikroORM’s driver options', () => {
    const options = ormConfig('postgres://u@db/x?sslmode=verify-full', {
      tls: { mode: 'verify-full', ca: CA },
    });
    expect(options.driverOptions).toMatchObject({ ssl: { rejectUnauthorized: true, ca: CA } });
    expect(ormConfig('postgres://u@db/x').driverOptions).toMatchObject({ ssl: false });
  });
});
