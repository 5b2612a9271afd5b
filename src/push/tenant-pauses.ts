import type { MikroORM } from '@mikro-orm/postgresql';
import { withDatabaseErrors } from '../platform/database/database-errors.ts';

/** A paused tenant as `tenants list` prints it and the console shows it. */
export interface PausedTenant {
  tenant_id: string;
  paused_at: string;
  paused_by: string;
  reason: string | null;
}

interface PauseRow {
  tenant_id: string;
  paused_at: Date | string;
  paused_by: string;
  reason: string | null;
}

/**
 * The tenants an operator paused, kept in `tenant_pauses` so that every pusher instance holds their
 * events and a restart keeps holding them. Pausing twice keeps the first pause's time.
 */
export class TenantPauses {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  async list(): Promise<PausedTenant[]> {
    return withDatabaseErrors('listTenantPauses', {}, async () => {
      const rows = await this.#orm.em
        .getConnection()
        .execute<PauseRow[]>(
          'select tenant_id, paused_at, paused_by, reason from tenant_pauses order by tenant_id',
        );
      return rows.map((row) => ({ ...row, paused_at: new Date(row.paused_at).toISOString() }));
    });
  }

  /** True when the tenant was not paused before. */
  async pause(tenantId: string, by: string, reason: string | undefined): Promise<boolean> {
    return withDatabaseErrors('pauseTenant', { tenant_id: tenantId }, async () => {
      const result = await this.#orm.em.getConnection().execute(
        `insert into tenant_pauses (tenant_id, paused_at, paused_by, reason) values (?, now(), ?, ?)
         on conflict (tenant_id) do nothing`,
        [tenantId, by, reason ?? null],
        'run',
      );
      return affected(result) > 0;
    });
  }

  /** True when the tenant was paused. */
  async resume(tenantId: string): Promise<boolean> {
    return withDatabaseErrors('resumeTenant', { tenant_id: tenantId }, async () => {
      const result = await this.#orm.em
        .getConnection()
        .execute('delete from tenant_pauses where tenant_id = ?', [tenantId], 'run');
      return affected(result) > 0;
    });
  }
}

function affected(result: unknown): number {
  return (result as { affectedRows?: number }).affectedRows ?? 0;
}
