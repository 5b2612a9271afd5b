import { describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../../src/platform/database/database.ts';
import { databaseProbe } from '../../../src/platform/database/database-probe.ts';
import { tcpProxyForTest } from '../../helpers/tcp-proxy.ts';
import { maintenanceUrl } from './fresh-database.ts';

/** The real PostgreSQL behind a proxy that can refuse or go silent; the test runs with a pool through it. */
async function withDatabaseBehindProxy(
  test: (proxy: Awaited<ReturnType<typeof tcpProxyForTest>>, database: Database) => Promise<void>,
) {
  const url = new URL(maintenanceUrl());
  const proxy = await tcpProxyForTest({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = `127.0.0.1:${proxy.port()}`;
  const database = await openDatabase(url.toString());
  try {
    await test(proxy, database);
  } finally {
    // Dropping the connections ends a ping still waiting on a silent one, so the pool can close.
    await proxy.cut();
    await database.close();
  }
}

describe('the database’s readiness probe', () => {
  it('answers within 2 s when PostgreSQL goes silent, forgives one silent spell, not a longer one', () =>
    withDatabaseBehindProxy(async (proxy, database) => {
      const probe = databaseProbe(database, 1_000);
      expect(await probe.check()).toEqual({ ok: true });
      proxy.stall();
      const startedAt = Date.now();
      expect(await probe.check()).toEqual({ ok: true });
      expect(Date.now() - startedAt).toBeLessThan(3_000);
      // The second check shares the ping still waiting, and ends 2 s further into the silence.
      expect(await probe.check()).toEqual({ ok: false, error: 'PostgreSQL: no answer within 2000 ms' });
      await proxy.restore();
      expect(await probe.check()).toEqual({ ok: true });
    }));

  it('a database that never answered is down at its first silence', () =>
    withDatabaseBehindProxy(async (proxy, database) => {
      proxy.stall();
      expect(await databaseProbe(database, 60_000).check()).toEqual({
        ok: false,
        error: 'PostgreSQL: no answer within 2000 ms',
      });
    }));

  it('a refused connection is down at once, even right after an answer', () =>
    withDatabaseBehindProxy(async (proxy, database) => {
      const probe = databaseProbe(database, 60_000);
      expect(await probe.check()).toEqual({ ok: true });
      await proxy.cut();
      const down = await probe.check();
      expect(down.ok).toBe(false);
      expect(down.error).not.toMatch(/no answer within/);
    }));
});
