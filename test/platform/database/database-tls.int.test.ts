import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { type Database, openDatabase, runMigrations } from '../../../src/platform/database/database.ts';
import { makeTlsMaterial, type TlsMaterial } from '../../../tools/stack/tls-material.ts';
import { rejectionOf } from '../../helpers/caught-error.ts';
import { uniqueSuffix } from '../../helpers/test-config.ts';
import { startTlsPostgres } from '../../helpers/tls-postgres.ts';

/** Whether the connection the service's database handle queries through is encrypted (TLS). */
async function encrypted(db: Database): Promise<boolean | undefined> {
  const [row] = await db.orm.em
    .fork()
    .execute<{ ssl: boolean }[]>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
  return row?.ssl;
}

// A PostgreSQL of this file's own that enforces TLS, with a certificate from a private CA.
describe('PostgreSQL over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ifs-pg-tls-'));
  let tls: TlsMaterial;
  let server: Awaited<ReturnType<typeof startTlsPostgres>>;
  beforeAll(async () => {
    tls = makeTlsMaterial(dir, { caName: 'database CA' });
    server = await startTlsPostgres(tls);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const databaseUrl = (query: string) =>
    `${server.url.replace(/\/postgres$/, `/ifs_tls_${uniqueSuffix()}`)}${query}`;

  it('connects, creates and migrates the database with sslmode=verify-full and DATABASE_CA_FILE', async () => {
    const { database } = loadConfig({
      DATABASE_URL: databaseUrl('?sslmode=verify-full'),
      DATABASE_CA_FILE: tls.caFile,
    });
    const db = await openDatabase(database.url, { tls: database.tls, createDatabase: true, migrate: true });
    try {
      expect(await encrypted(db)).toBe(true);
      expect(await runMigrations(database.url, database.tls)).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('says PostgreSQL’s certificate was refused and names DATABASE_CA_FILE when its CA is not given', async () => {
    const { database } = loadConfig({ DATABASE_URL: databaseUrl('?sslmode=verify-full') });
    const error = await rejectionOf(openDatabase(database.url, { tls: database.tls, createDatabase: true }));
    expect([error.code, error.failureClass]).toEqual(['TLS_HANDSHAKE_FAILED', 'systemic']);
    expect(error.message).toBe(
      'TLS handshake with PostgreSQL: its certificate was refused, it is not signed by a CA we trust (UNABLE_TO_VERIFY_LEAF_SIGNATURE); set DATABASE_CA_FILE to the PEM certificate of the CA that signed it',
    );
  });

  it('encrypts without checking the certificate with sslmode=require, as libpq does', async () => {
    const { database } = loadConfig({ DATABASE_URL: databaseUrl('?sslmode=require') });
    const db = await openDatabase(database.url, { tls: database.tls, createDatabase: true });
    try {
      expect(await encrypted(db)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('says the server refused a plaintext connection and points at sslmode', async () => {
    const { database } = loadConfig({ DATABASE_URL: databaseUrl('') });
    const error = await rejectionOf(openDatabase(database.url, { tls: database.tls, createDatabase: true }));
    expect([error.code, error.failureClass]).toEqual(['CREDENTIALS_REFUSED', 'systemic']);
    expect(error.message).toMatch(
      /^PostgreSQL refused the connection during openDatabase: no pg_hba.conf entry for host "127.0.0.1", user "postgres", database "ifs_tls_\w+", no encryption; check the user and password in DATABASE_URL \(and its sslmode, if pg_hba.conf requires TLS\)$/,
    );
    expect(error.message).not.toContain(':postgres@');
  });
});
