import pg from 'pg';
import { DLQ_HEADER } from '../../../src/dead-letters/dead-letter-headers.ts';
import { invoiceKey } from '../../../src/invoice/invoice-events.ts';
import { chaosGross, chaosKey } from '../../../tools/chaos/chaos-invoices.ts';
import type { ReadMessage } from '../../helpers/kafka.ts';
import { groupLag, readWholeTopic } from './kafka-state.ts';
import type { Scenario } from './scenario.ts';

const SETTLE_POLL_MS = 500;
const LAG_SETTLE_MS = 10_000;

export interface ValidInvoice {
  key: string;
  gross: number;
}

/** What a scenario must end with: every valid invoice once, and exactly the poison it sent. */
export interface ExpectedOutcome {
  valid: ValidInvoice[];
  /** Dead letters put there on purpose, with the code each must carry. */
  deadLetters?: { key: string | null; code: string }[];
}

export interface ScenarioFigures {
  invoices: number;
  financeRows: number;
  cloudInvoiceRows: number;
  lost: number;
  /** Finance calls beyond one per invoice that reached the books or the idempotency store. */
  duplicateFinanceCalls: number;
  idempotentReplays: number;
  financeRequests: number;
  financeByStatus: Record<string, number>;
  deadLettered: number;
  announcements: number;
  /** From the end of the last fault (or publish) until both groups were at lag 0 with every row in place. */
  drainMs: number;
}

export interface CheckResult {
  figures: ScenarioFigures;
  /** Each broken promise in words; empty when the scenario kept every one. */
  violations: string[];
}

interface CloudRow {
  tenant_id: string;
  provider: string;
  provider_invoice_id: string;
  finance_invoice_id: string | null;
  amount_cents: string;
}

/**
 * Waits until the pipeline is drained (both groups at lag 0, finance and cloud_invoices holding
 * every valid invoice) or `timeoutMs` passes, then checks everything acceptance point 1 lists.
 * A timeout is not thrown: it shows as the violations it leaves (lost invoices, lag).
 */
export async function settleAndCheck(
  scenario: Scenario,
  expected: ExpectedOutcome,
  options: { drainFrom: number; timeoutMs: number },
): Promise<CheckResult> {
  const settledAt = await waitSettled(scenario, expected.valid.length, options.timeoutMs);
  return check(scenario, expected, settledAt - options.drainFrom);
}

/** The rows of the scenario's `cloud_invoices`, through a connection of its own. */
async function cloudRows(scenario: Scenario): Promise<CloudRow[]> {
  const db = new pg.Client({ connectionString: scenario.databaseUrl });
  await db.connect();
  try {
    const sql =
      'select tenant_id, provider, provider_invoice_id, finance_invoice_id, amount_cents from cloud_invoices';
    return (await db.query<CloudRow>(sql)).rows;
  } finally {
    await db.end();
  }
}

async function lags(scenario: Scenario): Promise<{ pusher: number; recorder: number }> {
  const { env, admin } = scenario;
  // The pusher first: once it is at 0, every announcement is on the topic the recorder reads.
  const pusher = await groupLag(admin, env.PUSHER_GROUP_ID as string, env.TOPIC_LINES_INGESTED as string);
  const recorder = await groupLag(
    admin,
    env.RECORDER_GROUP_ID as string,
    env.TOPIC_PUSHED_TO_FINANCE as string,
  );
  return { pusher, recorder };
}

/**
 * The groups' lag once their commits have settled: an old commit that kafkajs retried can still land
 * after the pipeline settled, and the committer commits the newest again within a few seconds
 * (`REASSERT_EVERY_MS`); lag that stays for LAG_SETTLE_MS is lag left.
 */
async function endLags(scenario: Scenario): Promise<{ pusher: number; recorder: number }> {
  const deadline = Date.now() + LAG_SETTLE_MS;
  let lag = await lags(scenario);
  while ((lag.pusher !== 0 || lag.recorder !== 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    lag = await lags(scenario);
  }
  return lag;
}

async function waitSettled(scenario: Scenario, count: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const { pusher, recorder } = await lags(scenario);
      const rows = (await cloudRows(scenario)).length;
      if (pusher === 0 && recorder === 0 && rows >= count && scenario.finance.invoices().length >= count) {
        return Date.now();
      }
    } catch {
      // the database may not exist yet, or a broker be restarting: look again
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
  return Date.now();
}

async function check(scenario: Scenario, expected: ExpectedOutcome, drainMs: number) {
  const violations: string[] = [];
  const grossOf = new Map(expected.valid.map((invoice) => [invoice.key, invoice.gross]));
  const financeIds = checkFinance(scenario, grossOf, violations);
  const rows = await cloudRows(scenario).catch((error: unknown) => {
    violations.push(`cloud_invoices unreadable: ${(error as Error).message}`);
    return [];
  });
  checkCloudInvoices(rows, grossOf, financeIds, violations);
  const topics = await checkTopics(scenario, grossOf, expected, violations);
  violations.push(...scenario.fleet.unexpectedExits());
  const recordedKeys = new Set(rows.map((row) => invoiceKey(row)));
  const lost = [...grossOf.keys()].filter((key) => !financeIds.has(key) || !recordedKeys.has(key));
  if (lost.length > 0) violations.unshift(`${lost.length} invoices lost: ${few(lost)}`);
  const stats = scenario.finance.stats();
  const figures: ScenarioFigures = {
    invoices: grossOf.size,
    financeRows: scenario.finance.invoices().length,
    cloudInvoiceRows: rows.length,
    lost: lost.length,
    duplicateFinanceCalls: scenario.finance.imports().length - financeIds.size + stats.idempotentReplays,
    idempotentReplays: stats.idempotentReplays,
    financeRequests: stats.requests,
    financeByStatus: stats.byStatus,
    drainMs,
    ...topics,
  };
  return { figures, violations };
}

/** Every key announced, both groups at lag 0, and the dead-letter topics holding only what was meant. */
async function checkTopics(
  scenario: Scenario,
  grossOf: Map<string, number>,
  expected: ExpectedOutcome,
  violations: string[],
): Promise<{ announcements: number; deadLettered: number }> {
  const { env, kafka, admin } = scenario;
  const pushed = await readWholeTopic(kafka, admin, env.TOPIC_PUSHED_TO_FINANCE as string);
  const announced = new Set(pushed.map((message) => message.key));
  const unannounced = [...grossOf.keys()].filter((key) => !announced.has(key));
  if (unannounced.length > 0)
    violations.push(`${unannounced.length} invoices never announced: ${few(unannounced)}`);
  const lag = await endLags(scenario);
  if (lag.pusher !== 0) violations.push(`pusher group ends with lag ${lag.pusher}`);
  if (lag.recorder !== 0) violations.push(`recorder group ends with lag ${lag.recorder}`);
  const deadLetters = await readWholeTopic(kafka, admin, env.TOPIC_LINES_INGESTED_DLQ as string);
  checkDeadLetters(deadLetters, expected.deadLetters ?? [], violations);
  const recorderDeadLetters = await readWholeTopic(kafka, admin, env.TOPIC_PUSHED_TO_FINANCE_DLQ as string);
  if (recorderDeadLetters.length > 0) {
    violations.push(`${recorderDeadLetters.length} records on the recorder's dead-letter topic`);
  }
  return { announcements: pushed.length, deadLettered: deadLetters.length };
}

/** Finance must hold exactly the valid invoices, each with its published gross. Returns key → id. */
function checkFinance(scenario: Scenario, grossOf: Map<string, number>, violations: string[]) {
  const ids = new Map<string, string>();
  for (const row of scenario.finance.invoices()) {
    const key = invoiceKey({
      tenant_id: row.tenant_id,
      provider: row.source,
      provider_invoice_id: row.external_id,
    });
    const gross = grossOf.get(key);
    if (gross === undefined) violations.push(`finance holds an invoice nobody published as valid: ${key}`);
    else if (row.amount_gross_minor !== gross) {
      violations.push(`finance holds ${key} with gross ${row.amount_gross_minor}, published ${gross}`);
    }
    ids.set(key, row.id);
  }
  const missing = [...grossOf.keys()].filter((key) => !ids.has(key));
  if (missing.length > 0) violations.push(`${missing.length} invoices missing in finance: ${few(missing)}`);
  return ids;
}

function checkCloudInvoices(
  rows: CloudRow[],
  grossOf: Map<string, number>,
  financeIds: Map<string, string>,
  violations: string[],
): void {
  if (rows.length !== grossOf.size)
    violations.push(`cloud_invoices holds ${rows.length} rows, expected ${grossOf.size}`);
  for (const row of rows) {
    const key = invoiceKey(row);
    if (!grossOf.has(key)) violations.push(`cloud_invoices holds an unexpected row ${key}`);
    else if (row.finance_invoice_id !== financeIds.get(key)) {
      violations.push(
        `cloud_invoices ${key} has finance id ${row.finance_invoice_id}, finance ${financeIds.get(key)}`,
      );
    } else if (Number(row.amount_cents) !== grossOf.get(key)) {
      violations.push(`cloud_invoices ${key} has amount ${row.amount_cents}, published ${grossOf.get(key)}`);
    }
  }
}

/** Exactly the intended dead letters (as a multiset of key and code), each with its reason. */
function checkDeadLetters(
  found: ReadMessage[],
  intended: { key: string | null; code: string }[],
  violations: string[],
): void {
  const pending = intended.map((letter) => `${letter.key} ${letter.code}`);
  for (const message of found) {
    const code = message.headers[DLQ_HEADER.errorCode];
    const reason = message.headers[DLQ_HEADER.exceptionMessage];
    if (!code || !reason)
      violations.push(`dead letter ${message.key} at ${message.offset} carries no reason`);
    const index = pending.indexOf(`${message.key} ${code}`);
    if (index < 0) violations.push(`unintended dead letter ${message.key}: ${code}: ${reason}`);
    else pending.splice(index, 1);
  }
  for (const letter of pending) violations.push(`intended dead letter missing: ${letter}`);
}

function few(keys: string[]): string {
  return keys.length <= 5 ? keys.join(', ') : `${keys.slice(0, 5).join(', ')} …`;
}

/** The valid invoices `first … first + count - 1` of a run, as the producer publishes them. */
export function sequenceInvoices(run: string, count: number, first = 0, tenant?: string): ValidInvoice[] {
  return Array.from({ length: count }, (_, i) => ({
    key: chaosKey(run, first + i, tenant),
    gross: chaosGross(first + i),
  }));
}
