import type { MikroORM } from '@mikro-orm/postgresql';
import { toDatabaseError, withDatabaseErrors } from '../platform/database/database-errors.ts';

/** One SQL statement of an audit, run on the audit's own connection. */
export type AuditSql = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * Runs `work` on one connection, in one transaction, so the audit's temporary tables (`on commit
 * drop`) are seen by all its statements and vanish with it, whatever happens: nothing is left in
 * the database, and the service's tables are only read. Repairs write through the repository's own
 * connections, never this one. Only the database's own failures become `DATABASE_UNAVAILABLE`; what
 * `work` throws otherwise (Kafka, finance) passes through as it is.
 */
export async function withAuditSession<T>(orm: MikroORM, work: (sql: AuditSql) => Promise<T>): Promise<T> {
  const connection = orm.em.getConnection();
  let failed: { error: unknown } | undefined;
  try {
    return await connection.transactional(async (trx) => {
      const sql: AuditSql = (text, params = []) =>
        withDatabaseErrors('audit', {}, () => connection.execute(text, params, 'all', trx));
      try {
        return await work(sql);
      } catch (error) {
        failed = { error };
        throw error;
      }
    });
  } catch (error) {
    if (failed?.error === error) throw error;
    throw toDatabaseError(error, 'audit');
  }
}
