import type { AuditSelection } from './audit-selection.ts';
import type { AuditSql } from './audit-session.ts';

/** What repair can fix: each counts as drift, and makes the audit exit 1. */
export const DRIFT_CLASSES = ['never_pushed', 'pushed_not_recorded', 'stale'] as const;
/** Reported, but no drift repair could fix (README, "Audit"). */
export const NOTICE_CLASSES = ['recorded_without_event', 'unpushable'] as const;

export type DriftClass = (typeof DRIFT_CLASSES)[number];
export type NoticeClass = (typeof NOTICE_CLASSES)[number];
export type AuditClass = DriftClass | NoticeClass;

/*
 * The newest lines_ingested record of each key (the highest offset, as replay decides it), the
 * newest announcement of each invoice (the highest pushed_at: what finance got last, and what the
 * recorder's monotonic upsert keeps), and then one class per invoice against cloud_invoices,
 * joined on its unique (tenant_id, provider, provider_invoice_id) index:
 *
 * - fine: a row holds the payload hash of the newest event;
 * - pushed_not_recorded: the newest announcement carries that hash (finance holds the newest
 *   payload) but there is no row, or the row is older than that announcement;
 * - never_pushed: no row, and no announcement of the newest payload;
 * - stale: a row holding another hash, not explained by an unrecorded announcement;
 * - unpushable: the newest record is one the pusher dead-letters (its code is kept);
 * - recorded_without_event: a row whose invoice has no lines_ingested record at all.
 */
const CLASSIFY = [
  `create temporary table audit_newest on commit drop as
     select distinct on (record_key) * from audit_ingested order by record_key, off desc`,
  `create temporary table audit_last_push on commit drop as
     select distinct on (tenant_id, provider, provider_invoice_id) * from audit_pushed
      order by tenant_id, provider, provider_invoice_id, pushed_at desc, off desc`,
  `create temporary table audit_result on commit drop as
   select n.record_key as invoice_key, n.part, n.off, n.invalid_code,
     case
       when n.invalid_code is not null then 'unpushable'
       when c.id is not null and c.finance_payload_sha256 = n.payload_sha256 then 'fine'
       when q.payload_sha256 = n.payload_sha256
         and (c.id is null or c.pushed_to_finance_at is null or c.pushed_to_finance_at < q.pushed_at)
         then 'pushed_not_recorded'
       when c.id is null then 'never_pushed'
       else 'stale'
     end as class,
     q.tenant_id, q.provider, q.provider_invoice_id, q.event_id, q.invoice_period, q.amount_gross_minor,
     q.pushed_at, q.finance_invoice_id, q.payload_sha256
   from audit_newest n
   left join cloud_invoices c
     on c.tenant_id = n.tenant_id and c.provider = n.provider and c.provider_invoice_id = n.provider_invoice_id
   left join audit_last_push q
     on q.tenant_id = n.tenant_id and q.provider = n.provider and q.provider_invoice_id = n.provider_invoice_id
   where :event_filter
   union all
   select c.tenant_id || ':' || c.provider || ':' || c.provider_invoice_id, null, null, null,
     'recorded_without_event', null, null, null, null, null, null, null, null, null
   from cloud_invoices c
   where not exists (
       select 1 from audit_newest n
        where n.tenant_id = c.tenant_id and n.provider = c.provider
          and n.provider_invoice_id = c.provider_invoice_id)
     and :row_filter`,
];

/** The selection as two conditions: on the newest event (`n`), and on a row without one (`c`). */
function filters(selection: AuditSelection): { sql: [string, string]; params: unknown[] } {
  if (selection.kind === 'period') {
    return {
      sql: ['n.invoice_period = cast(? as date)', 'c.invoice_period = cast(? as date)'],
      params: [selection.period, selection.period],
    };
  }
  if (selection.kind === 'since') {
    const since = selection.since.toISOString();
    return {
      sql: ['n.appended_at >= cast(? as timestamptz)', 'c.updated_at >= cast(? as timestamptz)'],
      params: [since, since],
    };
  }
  return { sql: ['true', 'true'], params: [] };
}

/** Computes `audit_result`: one row per selected invoice and its class. */
export async function classify(sql: AuditSql, selection: AuditSelection): Promise<void> {
  const [newest, lastPush, result] = CLASSIFY as [string, string, string];
  await sql(newest);
  await sql(lastPush);
  const { sql: where, params } = filters(selection);
  await sql(result.replace(':event_filter', where[0]).replace(':row_filter', where[1]), params);
}

export type ClassCounts = Record<AuditClass | 'fine', number>;

export async function countClasses(sql: AuditSql): Promise<ClassCounts> {
  const rows = await sql<{ class: AuditClass | 'fine'; n: string }>(
    'select class, count(*) as n from audit_result group by class',
  );
  const counts = Object.fromEntries(
    [...DRIFT_CLASSES, ...NOTICE_CLASSES, 'fine'].map((name) => [name, 0]),
  ) as ClassCounts;
  for (const row of rows) counts[row.class] = Number(row.n);
  return counts;
}

/** The first `limit` invoice keys of each class but `fine`, in key order. */
export async function listKeys(sql: AuditSql, limit: number): Promise<Record<AuditClass, string[]>> {
  const rows = await sql<{ class: AuditClass; invoice_key: string }>(
    `select class, invoice_key from (
       select class, invoice_key, row_number() over (partition by class order by invoice_key) as rank
         from audit_result where class <> 'fine') ranked
      where rank <= ? order by class, invoice_key`,
    [limit],
  );
  const keys = Object.fromEntries(
    [...DRIFT_CLASSES, ...NOTICE_CLASSES].map((name) => [name, [] as string[]]),
  ) as Record<AuditClass, string[]>;
  for (const row of rows) keys[row.class].push(row.invoice_key);
  return keys;
}
