import type { MikroORM } from '@mikro-orm/postgresql';
import { withDatabaseErrors } from '../platform/database/database-errors.ts';

/** One SQL statement of an audit, run on the audit's own connection. */
export type AuditSql = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * Runs `work` on one connection, in one transaction, so the audit's temporary tables (`on commit
 * drop`) are seen by all its statements and vanish with it, whatever happens: nothing is left in
 * the database, and the service's tables are only read. Repairs write through the repository's own
 * connections, never this one.
 */
export function withAuditSession<T>(orm: MikroORM, work: (sql: AuditSql) => Promise<T>): Promise<T> {
  const connection = orm.em.getConnection();
  return withDatabaseErrors('audit', {}, () =>
    connection.transactional(async (trx) => {
      const sql: AuditSql = (text, params = []) => connection.execute(text, params, 'all', trx);
      return work(sql);
    }),
  );
}
