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
  const orm = await MikroORM.init(ormConfig(url, config));
  const ping = () => pingDatabase(orm);
  try {
    // `connect()` is where MikroORM runs CREATE DATABASE (through the `postgres` database) if enabled.
    await orm.connect();
    await ping();
    if (migrate) await applyMigrations(orm);
  } catch (error) {
    await orm.close(true);
    throw toDatabaseError(error, 'openDatabase', { database: orm.config.get('dbName') });
  }
  return { orm, repository: new CloudInvoiceRepository(orm), ping, close: () => orm.close() };
}

/** Applies pending migrations (creating the database if needed) and returns their names, oldest first. */
export async function runMigrations(url: string, tls?: DatabaseTls): Promise<string[]> {
  const orm = await MikroORM.init(
    ormConfig(url, { createDatabase: true, poolMax: 1, ...(tls ? { tls } : {}) }),
  );
  try {
    return await applyMigrations(orm);
  } catch (error) {
    throw toDatabaseError(error, 'runMigrations', { database: orm.config.get('dbName') });
  } finally {
    await orm.close(true);
  }
}

async function applyMigrations(orm: MikroORM): Promise<string[]> {
  // One transaction for the whole batch (`allOrNothing`): a failing migration leaves nothing behind.
  const applied = await orm.migrator.up();
  return applied.map((migration) => migration.name);
}

async function pingDatabase(orm: MikroORM): Promise<void> {
  try {
    await orm.em.fork().execute('select 1');
  } catch (error) {
    throw toDatabaseError(error, 'ping');
  }
}
