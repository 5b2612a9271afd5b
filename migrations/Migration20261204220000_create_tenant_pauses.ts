import { Migration } from '@mikro-orm/migrations';

/**
 * Creates `tenant_pauses`: the tenants an operator paused, so every pusher instance holds their
 * events and a restart keeps them held. Same conventions as the first migration: no non-erasable
 * TypeScript, exactly one exported class.
 */
export class Migration20261204220000CreateTenantPauses extends Migration {
  override up(): void {
    this.addSql(`
      create table "tenant_pauses" (
        "tenant_id" text primary key,
        "paused_at" timestamptz not null,
        "paused_by" text not null,
        "reason" text null
      );`);
  }

  override down(): void {
    this.addSql(`drop table if exists "tenant_pauses";`);
  }
}
