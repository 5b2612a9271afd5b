// Where an invoice's time goes inside the pusher, for diagnosis only (bench/stages.ts): wraps the
// prototypes of kafkajs's runner and of our pusher, finance client, skip-check loader and sender,
// and stamps each invoice key with the time it reached each stage. Nothing in src/ knows about it.
import { subscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { PayloadShaLoader } from '../src/platform/database/payload-sha-loader.ts';
import { FinanceClient } from '../src/platform/finance/finance-client.ts';
import { CoalescingSender } from '../src/platform/kafka/coalescing-sender.ts';
import { InvoicePusher } from '../src/push/invoice-pusher.ts';

export const STAGES = [
  'fetched', // kafkajs handed the batch holding the record to a worker
  'pushStarted', // decoded, a lane slot taken: InvoicePusher.push called
  'skipChecked', // the recorded payload hash came back from PostgreSQL
  'requestSent', // undici wrote the request headers (a slot under the adaptive limit was free)
  'responseHeaders', // finance's answer headers arrived
  'financeAnswered', // the import call resolved (body read)
  'announced', // the announcement was acknowledged by the broker
  'batchDone', // kafkajs's handler for the batch returned (offsets committed)
] as const;
export type Stage = (typeof STAGES)[number];

export interface StageTrace {
  stamps: Map<string, Partial<Record<Stage, number>>>;
  /** The adaptive limit each time a finance call started. */
  limits: number[];
  fetches: { at: number; ms: number; records: number }[];
  /** Records handed to a worker more than once (a batch ended before them, so kafkajs fetched them again). */
  refetched: number;
  /** When each record was published (its timestamp, ms since the epoch), by key. */
  published: Map<string, number>;
}

type Batch = { messages: { key: Buffer | null; timestamp: string }[] };
type Runner = {
  prototype: {
    consumerGroup: { groupId: string };
    handleBatch(batch: Batch): Promise<void>;
    fetch(nodeId: number): Promise<Batch[]>;
  };
};

/** Installs the wrappers once; returns the trace they fill. Only `groupId`'s consumer is traced. */
export function installStageTrace(groupId: string): StageTrace {
  const trace: StageTrace = {
    stamps: new Map(),
    limits: [],
    fetches: [],
    refetched: 0,
    published: new Map(),
  };
  const stamp = (key: string, stage: Stage) => {
    const entry = trace.stamps.get(key) ?? {};
    entry[stage] ??= Date.now();
    trace.stamps.set(key, entry);
  };
  const require = createRequire(import.meta.url);
  const runner = require('kafkajs/src/consumer/runner.js') as Runner;
  const traced = (self: unknown) => (self as Runner['prototype']).consumerGroup.groupId === groupId;
  wrap(runner.prototype, 'fetch', async (original, self, nodeId) => {
    if (!traced(self)) return original.call(self, nodeId);
    const started = Date.now();
    const batches = (await original.call(self, nodeId)) as Batch[];
    const records = batches.reduce((n, b) => n + b.messages.length, 0);
    if (records > 0) trace.fetches.push({ at: started, ms: Date.now() - started, records });
    return batches;
  });
  wrap(runner.prototype, 'handleBatch', async (original, self, batch: Batch) => {
    if (!traced(self)) return original.call(self, batch);
    for (const m of batch.messages) {
      if (trace.stamps.get(String(m.key))?.fetched !== undefined) trace.refetched++;
      stamp(String(m.key), 'fetched');
      trace.published.set(String(m.key), Number(m.timestamp));
    }
    await original.call(self, batch);
    for (const m of batch.messages) stamp(String(m.key), 'batchDone');
  });
  wrap(InvoicePusher.prototype, 'push', (original, self, event: InvoiceLike, ...rest) => {
    stamp(keyOf(event), 'pushStarted');
    return original.call(self, event, ...rest);
  });
  wrap(PayloadShaLoader.prototype, 'recordedPayloadSha', async (original, self, ...args) => {
    const answer = await original.call(self, ...args);
    stamp(args.join(':'), 'skipChecked');
    return answer;
  });
  wrap(FinanceClient.prototype, 'importInvoice', async (original, self, push: { idempotencyKey: string }) => {
    trace.limits.push((self as FinanceClient).concurrencyLimit);
    const answer = await original.call(self, push);
    stamp(keyOfIdempotencyKey(push.idempotencyKey), 'financeAnswered');
    return answer;
  });
  // undici reports each request on diagnostics channels; the idempotency key names the invoice.
  const invoiceOf = (request: { headers: unknown }) => {
    const headers = (request.headers as string[]).map(String);
    const at = headers.findIndex((h) => h.toLowerCase() === 'idempotency-key');
    return at < 0 ? undefined : keyOfIdempotencyKey(headers[at + 1] ?? '');
  };
  const on = (channel: string, stage: Stage) =>
    subscribe(channel, (message) => {
      const key = invoiceOf((message as { request: { headers: unknown } }).request);
      if (key) stamp(key, stage);
    });
  on('undici:client:sendHeaders', 'requestSent');
  on('undici:request:headers', 'responseHeaders');
  wrap(CoalescingSender.prototype, 'send', async (original, self, record: { key: unknown }) => {
    await original.call(self, record);
    stamp(String(record.key), 'announced');
  });
  return trace;
}

type InvoiceLike = { tenant_id: string; provider: string; provider_invoice_id: string };
const keyOf = (e: InvoiceLike) => `${e.tenant_id}:${e.provider}:${e.provider_invoice_id}`;

// biome-ignore lint/suspicious/noExplicitAny: wraps methods of any shape, diagnosis only
type AnyFn = (...args: any[]) => any;

function wrap<T extends object>(
  target: T,
  name: string,
  // biome-ignore lint/suspicious/noExplicitAny: see AnyFn
  around: (original: AnyFn, self: unknown, ...args: any[]) => unknown,
): void {
  const record = target as Record<string, AnyFn>;
  const original = record[name] as AnyFn;
  record[name] = function (this: unknown, ...args: unknown[]) {
    return around(original, this, ...args);
  };
}

/**
 * `{invoice key}:{payload_sha256}` → the invoice key. The hash (hex) holds no ':', the invoice number
 * may: cut at the last colon, not after the third.
 */
function keyOfIdempotencyKey(idempotencyKey: string): string {
  return idempotencyKey.slice(0, idempotencyKey.lastIndexOf(':'));
}
