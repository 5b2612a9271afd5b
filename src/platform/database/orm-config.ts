import type { ConnectionOptions } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import type { DatabaseTls } from '../../config/connection-config.ts';
import { AuditRun } from './audit-run.entity.ts';
import { CloudInvoice } from './cloud-invoice.entity.ts';
import { TenantPause } from './tenant-pause.entity.ts';

export interface OrmConfigOptions {
  /** Create the database when it does not exist (connects to `postgres` and runs CREATE DATABASE). */
  createDatabase?: boolean;
  /** Upper bound of pooled connections. */
  poolMax?: number;
  /** How long acquiring a new connection may take before the call fails. */
  connectTimeoutMs?: number;
  /** TLS as DATABASE_URL's sslmode and DATABASE_CA_FILE ask (default: none). */
  tls?: DatabaseTls;
}

const DEFAULTS = {
  createDatabase: false,
  poolMax: 10, // the recorder writes one row per event; a few connections are plenty
  connectTimeoutMs: 5_000, // five seconds: fail fast so the consumer can report not-ready
  tls: { mode: 'disable', ca: undefined },
} as const satisfies Required<OrmConfigOptions>;

// Resolved from this file, not from process.cwd(), so migrations are found wherever the process starts.
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** The one MikroORM configuration: the composition root passes the validated `DATABASE_URL`. */
export function ormConfig(databaseUrl: string, options: OrmConfigOptions = {}): Options {
  const { createDatabase, poolMax, connectTimeoutMs, tls } = { ...DEFAULTS, ...options };
  return defineConfig({
    clientUrl: databaseUrl,
    entities: [CloudInvoice, AuditRun, TenantPause],
    // Registered explicitly: MikroORM otherwise probes for the package and silently skips it if absent.
    extensions: [Migrator],
    baseDir: REPO_ROOT,
    // MikroORM 7 defaults `ensureDatabase` to true; we create databases only when asked to.
    ensureDatabase: createDatabase,
    debug: false,
    pool: { min: 0, max: poolMax, idleTimeoutMillis: 30_000 },
    // Passed to `pg.Pool`: without a connect timeout an unreachable host would hang a call forever.
    driverOptions: {
      connectionTimeoutMillis: connectTimeoutMs,
      keepAlive: true,
      application_name: 'invoice-finance-sync',
      ssl: pgSsl(tls),
    },
    migrations: {
      // TS files run directly under Node 24 type stripping, so both paths are the same folder.
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      glob: 'Migration*.ts',
      // Migrations are written by hand; snapshots would be rewritten (per database name!) on every run.
      snapshot: false,
      // The migrator otherwise prints to stdout; callers log the returned names instead.
      silent: true,
      transactional: true,
      allOrNothing: true,
    },
  });
}

/**
 * pg's `ssl` option for libpq's sslmode: MikroORM takes host, user and database from the URL but
 * ignores its query, so the mode is mapped here. Without DATABASE_CA_FILE the system CAs are trusted.
 */
export function pgSsl(tls: DatabaseTls): false | ConnectionOptions {
  if (tls.mode === 'disable') return false;
  // libpq's require encrypts without checking the certificate, unless a root certificate is given.
  if (tls.mode === 'require' && tls.ca === undefined) return { rejectUnauthorized: false };
  const verified = { rejectUnauthorized: true, ...(tls.ca === undefined ? {} : { ca: tls.ca }) };
  // verify-ca (and require with a CA) checks the chain but not that the certificate names the host.
  return tls.mode === 'verify-full' ? verified : { ...verified, checkServerIdentity: () => undefined };
}
