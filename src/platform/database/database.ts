import { MikroORM } from '@mikro-orm/postgresql';
import type { DatabaseTls } from '../../config/connection-config.ts';
import { CloudInvoiceRepository } from './cloud-invoice.repository.ts';
import { toDatabaseError } from './database-errors.ts';
import { type OrmConfigOptions, ormConfig } from './orm-config.ts';

export interface Database {
  orm: MikroORM;
  repository: CloudInvoiceRepository;
  /** Resolves when the database answers; rejects with `DATABASE_UNAVAILABLE` otherwise (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions extends Pick<OrmConfigOptions, 'createDatabase' | 'poolMax' | 'tls'> {
  /** Apply pending migrations before returning. */
  migrate?: boolean;
}

/**
 * Opens the pool, creating the database first when asked, and checks that it answers: MikroORM 7
 * connects lazily, so without this a wrong URL would only show on the first event.
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const { migrate = false, ...config } = options;
  const orm = await connectCreating(url, config);
  const ping = () => pingDatabase(orm);
  try {
    await ping();
    if (migrate) await applyMigrations(orm);
  } catch (error) {
    await orm.close(true);
    throw toDatabaseError(error, 'openDatabase', { database: orm.config.get('dbName') });
  }
  return { orm, repository: new CloudInvoiceRepository(orm), ping, close: () => orm.close() };
}

/**
 * `connect()` is where MikroORM runs CREATE DATABASE (through the `postgres` database) if enabled.
 * It checks, then creates: replicas starting together all see no database and all but one fail to
 * create it. The losers find it on a second try.
 */
async function connectCreating(url: string, config: Omit<OpenDatabaseOptions, 'migrate'>): Promise<MikroORM> {
  for (let attempt = 1; ; attempt++) {
    const orm = await MikroORM.init(ormConfig(url, config));
    try {
      await orm.connect();
      return orm;
    } catch (error) {
      await orm.close(true);
      if (!(config.createDatabase && attempt === 1 && isDuplicateDatabase(error))) {
        throw toDatabaseError(error, 'openDatabase', { database: orm.config.get('dbName') });
      }
    }
  }
}

/** 42P04 duplicate_database, or the catalog's unique index when both CREATEs got that far. */
function isDuplicateDatabase(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: string; constraint?: string };
  return code === '42P04' || (code === '23505' && constraint === 'pg_database_datname_index');
}

/** Applies pending migrations (creating the database if needed) and returns their names, oldest first. */
export async function runMigrations(url: string, tls?: DatabaseTls): Promise<string[]> {
  // Two connections: the migration lock holds one while the migrator looks around with the other.
  const orm = await MikroORM.init(
    ormConfig(url, { createDatabase: true, poolMax: 2, ...(tls ? { tls } : {}) }),
  );
  try {
    return await applyMigrations(orm);
  } catch (error) {
    throw toDatabaseError(error, 'runMigrations', { database: orm.config.get('dbName') });
  } finally {
    await orm.close(true);
  }
}

/** Any fixed 64-bit number works: the lock only has to be the same in every instance of the service. */
const MIGRATION_LOCK_KEY = 7_202_604_013; // "invoice-finance-sync migrations"

/**
 * One transaction for the whole batch (`allOrNothing`): a failing migration leaves nothing behind.
 * Instances starting together would otherwise race to create MikroORM's migrations table and to run
 * the same migration; the transaction-scoped advisory lock makes the others wait, then find nothing
 * pending. It is released with the transaction, also when the process dies holding it. MikroORM
 * checks for its migrations table outside the transaction, so this needs a pool of two or more.
 */
async function applyMigrations(orm: MikroORM): Promise<string[]> {
  const connection = orm.em.getConnection();
  return connection.transactional(async (trx) => {
    await connection.execute('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY], 'all', trx);
    const applied = await orm.migrator.up({ transaction: trx });
    return applied.map((migration) => migration.name);
  });
}

async function pingDatabase(orm: MikroORM): Promise<void> {
  try {
    await orm.em.fork().execute('select 1');
  } catch (error) {
    throw toDatabaseError(error, 'ping');
  }
}
