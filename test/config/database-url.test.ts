import { Configuration } from '@mikro-orm/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { maskUrlPassword } from '../../src/config/database-url.ts';
import { isSyncError } from '../../src/failures/errors.ts';
import { ormConfig } from '../../src/platform/database/orm-config.ts';
import { recordBadInput } from '../helpers/bad-input.ts';

/** What MikroORM will hand pg for this URL: its own parsing, no connection made. */
function connectionOptions(url: string) {
  return new Configuration(ormConfig(url), false).getDriver().getConnection().getConnectionOptions();
}

function refusal(env: Record<string, string>): { code: string; message: string } {
  try {
    loadConfig(env);
  } catch (error) {
    if (isSyncError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

const PASSWORD = 'p@ss/w:rd%';
const ENCODED = encodeURIComponent(PASSWORD); // p%40ss%2Fw%3Ard%25

describe('DATABASE_URL with a password holding @ or /', () => {
  it('is read as MikroORM reads it: an unencoded @ or percent-encoded @ and / give the password as written', () => {
    for (const url of [
      `postgres://app:${ENCODED}@db.internal:5433/invoices`,
      'postgres://app:p@ss%2Fw%3Ard%25@db.internal:5433/invoices', // @ left as it is
      'postgres://app:p%40ss%2Fw:rd%25@db.internal:5433/invoices',
    ]) {
      expect(loadConfig({ DATABASE_URL: url }).database.url, url).toBe(url);
      expect(connectionOptions(url), url).toEqual({
        host: 'db.internal',
        port: 5433,
        user: 'app',
        password: PASSWORD,
        database: 'invoices',
      });
    }
  });

  it('refuses an unencoded / (which would end the host early) at start, naming DATABASE_URL, never the password', () => {
    for (const url of [
      'postgres://app:pa/ss@db.internal/invoices', // no URL at all
      'postgres://app:1234/ss@db.internal/invoices', // a URL to host "app", port 1234, database "ss@db.internal/invoices"
      'postgres://app:p@ss/word@db.internal/invoices',
    ]) {
      const { code, message } = refusal({ DATABASE_URL: url });
      expect(code).toBe('CONFIG_INVALID');
      expect(message).toMatch(
        /^invalid configuration:\n {2}DATABASE_URL: got "postgres:\/\/app:\*\*\*@db\.internal\/invoices", expected /,
      );
      expect(message).toContain(
        "percent-encode '/' as %2F, '?' as %3F, '#' as %23 and '%' as %25 in the password",
      );
      for (const piece of ['pa/ss', '1234/ss', 'ss/word']) expect(message).not.toContain(piece);
    }
  });

  it('refuses a lone % (MikroORM would throw URIError while connecting) without showing it', () => {
    const { code, message } = refusal({ DATABASE_URL: 'postgres://app:100%sure@db.internal/invoices' });
    expect(code).toBe('CONFIG_INVALID');
    expect(message).toBe(
      "invalid configuration:\n  DATABASE_URL: got \"postgres://app:***@db.internal/invoices\", expected well-formed percent-encoding in the user, password and database name (percent-encode '/' as %2F, '?' as %3F, '#' as %23 and '%' as %25 in the password)",
    );
  });

  it('masks the whole password in shown values, whatever it holds', () => {
    expect(maskUrlPassword('postgres://app:p@ss/w:rd@db:5432/x')).toBe('postgres://app:***@db:5432/x');
    expect(maskUrlPassword('postgres://app:p%40ss@db/x')).toBe('postgres://app:***@db/x');
    expect(maskUrlPassword('postgres://app@db:5432/x')).toBe('postgres://app@db:5432/x'); // no password
    expect(maskUrlPassword('postgres://db:5432/x')).toBe('postgres://db:5432/x');
    expect(maskUrlPassword('not a url: p@ss')).toBe('not a url: p@ss');
  });

  it('is accepted percent-encoded, or refused without echoing it, for any password (2,000 passwords each way)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (raw) => {
        const password = `Sekret${raw}`;
        const encoded = `postgres://app:${encodeURIComponent(password)}@db.internal:5432/invoices`;
        expect(connectionOptions(loadConfig({ DATABASE_URL: encoded }).database.url).password).toBe(password);
        let message = '';
        try {
          loadConfig({ DATABASE_URL: `postgres://app:${password}@db.internal:5432/invoices` });
        } catch (error) {
          expect(isSyncError(error) && error.code).toBe('CONFIG_INVALID');
          message = (error as Error).message;
        }
        expect(message).not.toContain('Sekret');
      }),
      { numRuns: 2_000 },
    );
    recordBadInput('operator-database-url', {
      surface: 'operator input: DATABASE_URL',
      inputs: 4_000,
      crashes: 0,
      stalls: 0,
      lost: 0,
      what: 'arbitrary passwords, percent-encoded and as typed: read as MikroORM reads them, or refused naming DATABASE_URL without echoing them',
    });
  });
});
