import { SyncError } from '../failures/errors.ts';
import type { RecordedPush } from '../platform/database/cloud-invoice.repository.ts';
import { createFinanceClient } from '../platform/finance/create-finance-client.ts';
import { readGroupPrefix, readRange } from '../platform/kafka/topic-range-reader.ts';
import { createPusher, type PushPlatform } from '../push/create-pusher.ts';
import { ReplayPush } from '../replay/replay-push.ts';
import type { DriftClass } from './audit-classes.ts';
import type { AuditSql } from './audit-session.ts';

/** What `--repair` did: finance imports, rows written, and what could not be repaired. */
export interface RepairSummary {
  /**
   * Invoices repaired, by class: never pushed and stale ones pushed to finance and recorded from the
   * push's own announcement; pushed-but-not-recorded ones recorded from their announcement.
   */
  fixed: Record<DriftClass, number>;
  /** Pushes the failure policy dead-lettered (the pusher would have too): still drift. */
  dead_lettered: number;
  /** Recordings the monotonic upsert refused, a newer push being recorded meanwhile: the next audit tells. */
  stale_ignored: number;
}

const RECORD_PAGE_ROWS = 500;
const NEVER = new AbortController().signal; // an audit owns no partition: nothing revokes its pushes

/**
 * Repairs what the audit found, through the normal paths only:
 * - never pushed and stale: the newest record is read again and pushed like `replay` pushes it (the
 *   pusher's handler forced past the skip check, the one failure policy, the same Idempotency-Key),
 *   announced, and the announcement recorded at once (the recorder, if running, finds it recorded);
 * - pushed but not recorded: the newest announcement is written through the recorder's repository
 *   (idempotent and monotonic, so racing the running recorder is harmless).
 * Rows without an event are left alone (nothing to push them from). A systemic or transient failure
 * the consumer would pause for stops the repair with that error, like a replay.
 */
export async function repair(infra: PushPlatform, sql: AuditSql): Promise<RepairSummary> {
  const summary: RepairSummary = {
    fixed: { never_pushed: 0, pushed_not_recorded: 0, stale: 0 },
    dead_lettered: 0,
    stale_ignored: 0,
  };
  await recordUnrecorded(infra, sql, summary);
  await pushAgain(infra, sql, summary);
  return summary;
}

async function recordUnrecorded(infra: PushPlatform, sql: AuditSql, summary: RepairSummary): Promise<void> {
  for (let after = ''; ; ) {
    const rows = await sql<RecordedPushRow>(
      `select invoice_key, event_id, tenant_id, provider, provider_invoice_id, invoice_period::text as invoice_period,
              amount_gross_minor, pushed_at, finance_invoice_id, payload_sha256
         from audit_result where class = 'pushed_not_recorded' and invoice_key > ?
        order by invoice_key limit ?`,
      [after, RECORD_PAGE_ROWS],
    );
    for (const row of rows) {
      const outcome = await infra.database.repository.recordPush(recordedPushOf(row));
      if (outcome === 'recorded') summary.fixed.pushed_not_recorded += 1;
      else summary.stale_ignored += 1;
    }
    if (rows.length < RECORD_PAGE_ROWS) return;
    after = rows.at(-1)?.invoice_key ?? after;
  }
}

interface RecordedPushRow {
  invoice_key: string;
  event_id: string;
  tenant_id: string;
  provider: string;
  provider_invoice_id: string;
  invoice_period: string;
  amount_gross_minor: string | number;
  pushed_at: Date | string;
  finance_invoice_id: string;
  payload_sha256: string;
}

const DAY_MS = 86_400_000;

function recordedPushOf(row: RecordedPushRow): RecordedPush {
  return {
    event_id: row.event_id,
    tenant_id: row.tenant_id,
    provider: row.provider,
    provider_invoice_id: row.provider_invoice_id,
    invoice_period: Date.parse(`${row.invoice_period}T00:00:00Z`) / DAY_MS,
    amount_gross_minor: Number(row.amount_gross_minor),
    pushed_at: new Date(row.pushed_at).getTime(),
    finance_invoice_id: row.finance_invoice_id,
    payload_sha256: row.payload_sha256,
  };
}

/**
 * The positions of the newest records to push again, by partition. Held in memory: a few dozen
 * bytes per invoice to repair (the drift), not per record of the topic.
 */
type PushClass = 'never_pushed' | 'stale';

async function pushTargets(sql: AuditSql): Promise<Map<number, Map<string, PushClass>>> {
  const rows = await sql<{ part: number; off: string; class: PushClass }>(
    `select part, off::text as off, class from audit_result where class in ('never_pushed', 'stale') order by part, off`,
  );
  const targets = new Map<number, Map<string, PushClass>>();
  for (const row of rows) {
    targets.set(row.part, (targets.get(row.part) ?? new Map()).set(row.off, row.class));
  }
  return targets;
}

async function pushAgain(infra: PushPlatform, sql: AuditSql, summary: RepairSummary): Promise<void> {
  const targets = await pushTargets(sql);
  if (targets.size === 0) return;
  const finance = createFinanceClient(infra);
  if (!finance) {
    throw new SyncError(
      'CONFIG_INVALID',
      `audit --repair cannot push: ${infra.config.finance.disabledReason}`,
    );
  }
  try {
    const push = new ReplayPush(infra, createPusher(infra, finance));
    const topic = infra.config.topics.linesIngested;
    const ranges = [...targets].map(([partition, offsets]) => {
      const sorted = [...offsets.keys()].map(BigInt).sort((a, b) => (a < b ? -1 : 1));
      return { partition, start: sorted[0] ?? 0n, end: (sorted.at(-1) ?? 0n) + 1n };
    });
    await readRange({
      kafka: infra.kafka,
      topic,
      ranges,
      groupPrefix: readGroupPrefix(infra.config, 'audit-repair'),
      log: infra.log,
      sessionTimeoutMs: infra.config.kafka.sessionTimeoutMs,
      onRecord: async ({ partition, offset, message }) => {
        const drift = targets.get(partition)?.get(offset);
        if (drift === undefined) return;
        const key = message.key?.toString('utf8') ?? '';
        const log = infra.log.child({ topic, partition, offset, invoice_key: key });
        const result = await push.push({ topic, partition, offset, key, message, log, signal: NEVER });
        if (result.outcome === 'dead_lettered') summary.dead_lettered += 1;
        else if (result.outcome !== 'skipped') {
          await infra.database.repository.recordPush(result.pushed);
          summary.fixed[drift] += 1;
        }
      },
    });
  } finally {
    await finance.close();
  }
}
