import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import {
  type Database,
  type OpenDatabaseOptions,
  openDatabase,
} from '../../../src/platform/database/database.ts';

/** The server's maintenance URL: the one the global setup found, else DATABASE_URL, else the local default. */
export function maintenanceUrl(): string {
  return inject('databaseUrl') ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** The same server, another database. */
export function databaseUrl(name: string): string {
  const url = new URL(maintenanceUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export function freshDatabaseName(): string {
  return `ifs_test_${randomBytes(6).toString('hex')}`;
}

/**
 * A database of its own for one test file: created (and migrated unless told otherwise) before the
 * file's tests, dropped after them, so files run in parallel against one server.
 */
export function useFreshDatabase(
  options: OpenDatabaseOptions = { migrate: true },
): () => Database & { url: string } {
  const url = databaseUrl(freshDatabaseName());
  let db: Database | undefined;
  beforeAll(async () => {
    db = await openDatabase(url, { ...options, createDatabase: true });
  });
  afterAll(async () => {
    if (!db) return;
    // Reconnects to the maintenance database first, so none of our connections holds the one dropped.
    await db.orm.schema.dropDatabase();
    await db.close();
  });
  return () => {
    if (!db) throw new Error('the fresh database is opened in beforeAll; use it inside tests only');
    return { ...db, url };
  };
}
