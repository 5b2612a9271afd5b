import type { AuditSql } from './audit-session.ts';

/**
 * The audit's working tables: temporary, on the audit's own connection, dropped when its
 * transaction ends. Rows arrive in batches from the topics (audit-staging.ts), so Node holds one
 * batch and PostgreSQL the rest; the classes are then joins (audit-classes.ts).
 */
const CREATE_TABLES = [
  // Every lines_ingested record: its key and position; for a valid one, the payload hash the pusher
  // would send; for an invalid one, the error code the pusher dead-letters it with.
  `create temporary table audit_ingested (
     record_key text not null, tenant_id text, provider text, provider_invoice_id text,
     part integer not null, off bigint not null, appended_at timestamptz not null,
     event_id text, invoice_period date, payload_sha256 text, invalid_code text
   ) on commit drop`,
  // Every readable pushed_to_finance record, with what the recorder would write from it.
  `create temporary table audit_pushed (
     tenant_id text not null, provider text not null, provider_invoice_id text not null,
     part integer not null, off bigint not null, event_id text not null, invoice_period date not null,
     amount_gross_minor bigint not null, pushed_at timestamptz not null, finance_invoice_id text not null,
     payload_sha256 text not null
   ) on commit drop`,
];

export async function createAuditTables(sql: AuditSql): Promise<void> {
  for (const statement of CREATE_TABLES) await sql(statement);
}

/** A row of `audit_ingested`, as staged. */
export interface IngestedRow {
  record_key: string;
  tenant_id: string | null;
  provider: string | null;
  provider_invoice_id: string | null;
  part: number;
  off: string;
  appended_at: string;
  event_id: string | null;
  invoice_period: string | null;
  payload_sha256: string | null;
  invalid_code: string | null;
}

/** A row of `audit_pushed`, as staged. */
export interface PushedRow {
  tenant_id: string;
  provider: string;
  provider_invoice_id: string;
  part: number;
  off: string;
  event_id: string;
  invoice_period: string;
  amount_gross_minor: number;
  pushed_at: string;
  finance_invoice_id: string;
  payload_sha256: string;
}

// One statement per batch: the batch travels as one JSON parameter, like the skip check's keys.
const INSERT_INGESTED = `insert into audit_ingested
  select * from json_to_recordset(cast(? as json)) as r(
    record_key text, tenant_id text, provider text, provider_invoice_id text, part integer, off bigint,
    appended_at timestamptz, event_id text, invoice_period date, payload_sha256 text, invalid_code text)`;

const INSERT_PUSHED = `insert into audit_pushed
  select * from json_to_recordset(cast(? as json)) as r(
    tenant_id text, provider text, provider_invoice_id text, part integer, off bigint, event_id text,
    invoice_period date, amount_gross_minor bigint, pushed_at timestamptz, finance_invoice_id text,
    payload_sha256 text)`;

export function insertIngested(sql: AuditSql, rows: IngestedRow[]): Promise<unknown> {
  return sql(INSERT_INGESTED, [JSON.stringify(rows)]);
}

export function insertPushed(sql: AuditSql, rows: PushedRow[]): Promise<unknown> {
  return sql(INSERT_PUSHED, [JSON.stringify(rows)]);
}
