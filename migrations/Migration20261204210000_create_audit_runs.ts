import { Migration } from '@mikro-orm/migrations';

/**
 * Creates `audit_runs`: what each `audit` run found (counts per class, a bounded listing of keys,
 * what `--repair` did), so the service's console page and its `invoice_sync_audit_drift` metric can
 * show the last run wherever it ran. Same conventions as the first migration: no non-erasable
 * TypeScript, exactly one exported class.
 */
export class Migration20261204210000CreateAuditRuns extends Migration {
  override up(): void {
    this.addSql(`
      create table "audit_runs" (
        "id" bigserial primary key,
        "started_at" timestamptz not null,
        "finished_at" timestamptz not null,
        "selection" text not null,
        "read" jsonb not null,
        "counts" jsonb not null,
        "keys" jsonb not null,
        "repair" jsonb null
      );`);
    this.addSql(`create index "audit_runs_finished_at_index" on "audit_runs" ("finished_at");`);
  }

  override down(): void {
    this.addSql(`drop table if exists "audit_runs";`);
  }
}
