import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../../src/platform/database/database.ts';
import { databaseUrl, freshDatabaseName, maintenanceUrl } from './fresh-database.ts';

const REPLICAS = 4;
const MIGRATIONS = readdirSync(new URL('../../../migrations/', import.meta.url)).filter((f) =>
  /^Migration.*\.ts$/.test(f),
);

let opened: Database[] = [];
afterEach(async () => {
  await Promise.all(opened.map((db) => db.close()));
  opened = [];
});

describe('replicas starting together on a database that does not exist yet', () => {
  it('all open it: one creates it, the others find it; every migration runs exactly once', async () => {
    const name = freshDatabaseName();
    const url = databaseUrl(name);
    const results = await Promise.allSettled(
      Array.from({ length: REPLICAS }, () => openDatabase(url, { migrate: true, createDatabase: true })),
    );
    opened = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        'select name from mikro_orm_migrations order by id',
      );
      expect(rows.map((row) => `${row.name}.ts`)).toEqual([...MIGRATIONS].sort());
    } finally {
      await client.end();
    }
    expect(maintenanceUrl()).not.toBe(url);
  });
});
