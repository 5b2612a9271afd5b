import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { CloudInvoice } from './cloud-invoice.entity.ts';

export interface OrmConfigOptions {
  /** Create the database when it does not exist (connects to `postgres` and runs CREATE DATABASE). */
  createDatabase?: boolean;
  /** Upper bound of pooled connections. */
  poolMax?: number;
  /** How long acquiring a new connection may take before the call fails. */
  connectTimeoutMs?: number;
}

const DEFAULTS = {
  createDatabase: false,
  poolMax: 10, // the recorder writes one row per event; a few connections are plenty
  connectTimeoutMs: 5_000, // five seconds: fail fast so the consumer can report not-ready
} as const satisfies Required<OrmConfigOptions>;

// Resolved from this file, not from process.cwd(), so migrations are found wherever the process starts.
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** The one MikroORM configuration: the composition root passes the validated `DATABASE_URL`. */
export function ormConfig(databaseUrl: string, options: OrmConfigOptions = {}): Options {
  const { createDatabase, poolMax, connectTimeoutMs } = { ...DEFAULTS, ...options };
  return defineConfig({
    clientUrl: databaseUrl,
    entities: [CloudInvoice],
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
