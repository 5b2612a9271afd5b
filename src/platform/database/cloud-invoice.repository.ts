import { type MikroORM, wrap } from '@mikro-orm/postgresql';
import { SpanKind } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_SYSTEM_NAME,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import { SyncError } from '../../failures/errors.ts';
import { daysToIsoDate } from '../../invoice/calendar-date.ts';
import { type InvoicePushedToFinance, invoiceKey } from '../../invoice/invoice-events.ts';
import { inSpan } from '../../ops/tracing.ts';
import { CloudInvoice } from './cloud-invoice.entity.ts';
import { withDatabaseErrors } from './database-errors.ts';

export type RecordPushOutcome = 'recorded' | 'stale';

/** What recording a push writes: the announcement's identity, figures and finance id. */
export type RecordedPush = Pick<
  InvoicePushedToFinance,
  | 'event_id'
  | 'tenant_id'
  | 'provider'
  | 'provider_invoice_id'
  | 'invoice_period'
  | 'amount_gross_minor'
  | 'pushed_at'
  | 'finance_invoice_id'
  | 'payload_sha256'
>;

/** The unique key of a `cloud_invoices` row, the same as finance's: one invoice per tenant. */
export interface CloudInvoiceKey {
  tenantId: string;
  provider: string;
  providerInvoiceId: string;
}

/** A `cloud_invoices` row as plain data: timestamps as `Date`, `invoice_period` as 'YYYY-MM-DD'. */
export type CloudInvoiceRow = ReturnType<typeof toRow>;

function toRow(invoice: CloudInvoice) {
  return wrap(invoice).toObject();
}

/*
 * One statement, so it is atomic without an explicit transaction. The conflict branch updates only
 * when the event is newer than what is recorded (monotonic: an older event never overwrites a newer
 * one); `status` and `inserted_at` of an existing row are left alone.
 *
 * When nothing was written, the outer select tells a stale event (recorded push is newer) from a
 * replay (same `pushed_at`). It reads the statement's snapshot, so `newer_recorded` is null only when
 * a concurrent transaction inserted the row after this statement began: then running it again decides.
 */
const RECORD_PUSH_SQL = `
with upsert as (
  insert into cloud_invoices as c (
    tenant_id, provider, provider_invoice_id, invoice_period, amount_cents, status,
    pushed_to_finance_at, finance_invoice_id, finance_payload_sha256, inserted_at, updated_at)
  values (
    :tenant_id, :provider, :provider_invoice_id, cast(:invoice_period as date), :amount_cents, 'open',
    cast(:pushed_at as timestamptz), :finance_invoice_id, :payload_sha256, now(), now())
  on conflict (tenant_id, provider, provider_invoice_id) do update set
    invoice_period = excluded.invoice_period,
    amount_cents = excluded.amount_cents,
    pushed_to_finance_at = excluded.pushed_to_finance_at,
    finance_invoice_id = excluded.finance_invoice_id,
    finance_payload_sha256 = excluded.finance_payload_sha256,
    updated_at = now()
  where c.pushed_to_finance_at is null or c.pushed_to_finance_at < excluded.pushed_to_finance_at
  returning 1
)
select
  exists (select 1 from upsert) as written,
  (select r.pushed_to_finance_at > cast(:pushed_at as timestamptz)
     from cloud_invoices r
    where r.tenant_id = :tenant_id and r.provider = :provider
      and r.provider_invoice_id = :provider_invoice_id) as newer_recorded`;

/**
 * The recorded hashes of a batch of invoices, as a join of the keys against the unique index: each
 * key is one index probe on all three columns, whatever the table holds. A row-value IN list can be
 * planned on the (tenant_id, provider) prefix alone, filtering every row of that tenant and provider
 * (measured: 99,998 rows filtered for two keys on a 100,000-row table); the join cannot.
 * test/platform/database/skip-check-plan.int.test.ts checks the plan.
 */
export const RECORDED_SHAS_SQL = `select c.tenant_id, c.provider, c.provider_invoice_id, c.finance_payload_sha256
  from json_to_recordset(cast(? as json)) as k(tenant_id text, provider text, provider_invoice_id text)
  join cloud_invoices c
    on c.tenant_id = k.tenant_id and c.provider = k.provider and c.provider_invoice_id = k.provider_invoice_id`;

interface RecordedShaRow {
  tenant_id: string;
  provider: string;
  provider_invoice_id: string;
  finance_payload_sha256: string | null;
}

function columnsOf(key: CloudInvoiceKey) {
  return { tenant_id: key.tenantId, provider: key.provider, provider_invoice_id: key.providerInvoiceId };
}

// NUL cannot occur in PostgreSQL text, so unlike `invoiceKey`'s ':' it never makes two keys equal.
function lookupKey(row: ReturnType<typeof columnsOf>): string {
  return `${row.tenant_id}\u0000${row.provider}\u0000${row.provider_invoice_id}`;
}

interface RecordPushResult {
  written: boolean;
  newer_recorded: boolean | null;
}

const MAX_RECORD_ATTEMPTS = 3;

/**
 * The record's database write as an OpenTelemetry client span (semantic conventions for databases).
 * Written here rather than by the pg instrumentation, which patches `pg` through a loader hook that
 * must run before the ORM imports it: that would load the SDK whether tracing is on or not.
 */
const RECORD_PUSH_SPAN = {
  kind: SpanKind.CLIENT,
  attributes: {
    [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
    [ATTR_DB_COLLECTION_NAME]: 'cloud_invoices',
    [ATTR_DB_OPERATION_NAME]: 'INSERT',
    [ATTR_DB_QUERY_SUMMARY]: 'INSERT cloud_invoices',
  },
};

/** Reads and writes `cloud_invoices`; every call runs in its own forked EntityManager. */
export class CloudInvoiceRepository {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  /** Idempotent, monotonic upsert of a push keyed by (tenant_id, provider, provider_invoice_id). */
  async recordPush(event: RecordedPush): Promise<RecordPushOutcome> {
    const params = {
      tenant_id: event.tenant_id,
      provider: event.provider,
      provider_invoice_id: event.provider_invoice_id,
      invoice_period: daysToIsoDate(event.invoice_period),
      amount_cents: event.amount_gross_minor,
      // ISO text keeps the exact milliseconds; to_timestamp(double) could round them.
      pushed_at: new Date(event.pushed_at).toISOString(),
      finance_invoice_id: event.finance_invoice_id,
      payload_sha256: event.payload_sha256,
    };
    const write = () =>
      withDatabaseErrors('recordPush', this.#keyOf(event), async () => {
        const em = this.#orm.em.fork();
        for (let attempt = 1; attempt <= MAX_RECORD_ATTEMPTS; attempt++) {
          const [result] = await em.execute<RecordPushResult[]>(RECORD_PUSH_SQL, params);
          if (result?.written) return 'recorded' as const;
          if (result?.newer_recorded === true) return 'stale' as const;
          if (result?.newer_recorded === false) return 'recorded' as const; // same pushed_at: a replay, nothing to change
        }
        throw new SyncError(
          'INTERNAL_INVARIANT',
          `recordPush could not settle ${invoiceKey(event)}: the upsert neither wrote nor found its row ${MAX_RECORD_ATTEMPTS} times`,
          { details: { ...this.#keyOf(event), attempts: MAX_RECORD_ATTEMPTS } },
        );
      });
    return inSpan(RECORD_PUSH_SPAN.attributes[ATTR_DB_QUERY_SUMMARY], RECORD_PUSH_SPAN, write);
  }

  /** The hash of the payload last pushed for this invoice, if any: one read through the unique index. */
  async recordedPayloadSha(
    tenantId: string,
    provider: string,
    providerInvoiceId: string,
  ): Promise<string | undefined> {
    const [sha] = await this.recordedPayloadShas([{ tenantId, provider, providerInvoiceId }]);
    return sha;
  }

  /**
   * The hashes for many invoices in one read, in the order asked. On the hot path of every push
   * (through PayloadShaLoader), so it is a plain indexed query: no entity hydration, no identity map.
   */
  async recordedPayloadShas(keys: readonly CloudInvoiceKey[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    return withDatabaseErrors('recordedPayloadShas', { invoices: keys.length }, async () => {
      const rows = await this.#orm.em
        .getConnection()
        .execute<RecordedShaRow[]>(RECORDED_SHAS_SQL, [JSON.stringify(keys.map(columnsOf))]);
      const found = new Map(rows.map((row) => [lookupKey(row), row.finance_payload_sha256]));
      return keys.map((key) => found.get(lookupKey(columnsOf(key))) ?? undefined);
    });
  }

  /** The whole row as plain data, for tests, the demo and the CLI. */
  async find(
    tenantId: string,
    provider: string,
    providerInvoiceId: string,
  ): Promise<CloudInvoiceRow | undefined> {
    const key = columnsOf({ tenantId, provider, providerInvoiceId });
    return withDatabaseErrors('find', key, async () => {
      const row = await this.#orm.em.fork().findOne(CloudInvoice, key);
      return row === null ? undefined : toRow(row);
    });
  }

  #keyOf(event: RecordedPush): Record<string, unknown> {
    return {
      event_id: event.event_id,
      tenant_id: event.tenant_id,
      provider: event.provider,
      provider_invoice_id: event.provider_invoice_id,
    };
  }
}
