import { randomUUID } from 'node:crypto';
import { requireLineCount } from '../invoice/event-limits.ts';
import {
  type InvoiceLinesIngested,
  type InvoicePushedToFinance,
  invoiceKey,
} from '../invoice/invoice-events.ts';
import { requireValidIdentifiers } from '../invoice/invoice-identity.ts';
import { normalizeInvoice } from '../invoice/normalize-invoice.ts';
import { pushedEventFor } from '../invoice/pushed-event.ts';
import type { TaxWordsByProvider } from '../invoice/tax-rule.ts';
import type { Logger } from '../ops/logger.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { FinanceImport, FinanceImportResult } from '../platform/finance/finance-client.ts';
import type { DurableSender } from '../platform/kafka/kafka-client.ts';
import type { AvroCodec } from '../platform/registry/avro-codec.ts';
import type { Contracts } from '../platform/registry/contracts.ts';
import { NO_OBSERVER, type PushObserver } from './push-observer.ts';

export type PushOutcome =
  | { outcome: 'skipped'; sha256: string }
  | { outcome: 'created' | 'updated'; pushed: InvoicePushedToFinance };

export interface RecordedPayloads {
  recordedPayloadSha(
    tenantId: string,
    provider: string,
    providerInvoiceId: string,
  ): Promise<string | undefined>;
}

/** What the pusher needs of finance: one idempotent import. */
export interface FinanceImporter {
  importInvoice(push: FinanceImport): Promise<FinanceImportResult>;
}

export interface PushOptions {
  /** Push even when finance already holds these exact bytes (replay). */
  force: boolean;
  /** Aborted when the push must not be announced (its partition may be revoked). */
  signal?: AbortSignal;
}

export interface InvoicePusherDeps {
  codec: AvroCodec;
  contracts: Contracts;
  pushedSchemaId: number;
  pushedTopic: string;
  sender: DurableSender;
  finance: FinanceImporter;
  recorded: RecordedPayloads;
  taxWords: TaxWordsByProvider;
  /** EVENT_MAX_LINES: a longer invoice is refused before it is normalized or sent. */
  maxLines: number;
  metrics: Metrics;
  /** Told each outcome (the operations console keeps the recent ones). */
  observer?: PushObserver;
  now?: () => number;
}

/**
 * check limits → normalize → (skip if finance already holds these exact bytes) → push → announce.
 * Resolves once the announcement is durable in Kafka; throws a classified SyncError otherwise.
 */
export class InvoicePusher {
  readonly #deps: InvoicePusherDeps;
  readonly #now: () => number;
  readonly #observer: PushObserver;

  constructor(deps: InvoicePusherDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#observer = deps.observer ?? NO_OBSERVER;
  }

  async push(event: InvoiceLinesIngested, log: Logger, options: PushOptions): Promise<PushOutcome> {
    const { metrics } = this.#deps;
    // Here, not in the consumer, so a replay holds to the same limit; the key is valid to show once
    // the identifiers are.
    requireValidIdentifiers(event);
    requireLineCount(event, invoiceKey(event), this.#deps.maxLines);
    const normalized = normalizeInvoice(event, this.#deps.taxWords);
    if (!options.force) {
      const recorded = await this.#deps.recorded.recordedPayloadSha(
        event.tenant_id,
        event.provider,
        event.provider_invoice_id,
      );
      if (recorded === normalized.sha256) {
        metrics.events.inc({ consumer: 'pusher', outcome: 'skipped' });
        log.info({ payload_sha256: normalized.sha256 }, 'skipped: finance already holds this exact payload');
        this.#observer.note({
          outcome: 'skipped',
          at: this.#now(),
          key: invoiceKey(event),
          sha256: normalized.sha256,
        });
        return { outcome: 'skipped', sha256: normalized.sha256 };
      }
    }
    const stopTimer = metrics.pushDuration.startTimer();
    const startedAt = this.#now();
    const key = invoiceKey(event);
    const answer = await this.#deps.finance.importInvoice({
      body: normalized.body,
      tenantId: event.tenant_id,
      idempotencyKey: `${key}:${normalized.sha256}`,
      signal: options.signal,
    });
    stopTimer({ action: answer.action });
    const latencyMs = this.#now() - startedAt;
    const pushed = pushedEventFor(event, normalized, answer, { eventId: randomUUID(), nowMs: this.#now() });
    const value = await this.#deps.codec.encode(
      this.#deps.pushedSchemaId,
      this.#deps.contracts.pushedToFinance,
      pushed,
    );
    // Finance holds it either way; announcing is what a revoked partition's member must not do.
    options.signal?.throwIfAborted();
    await this.#deps.sender.send({ topic: this.#deps.pushedTopic, key, value });
    metrics.events.inc({ consumer: 'pusher', outcome: answer.action });
    log.info(
      {
        action: answer.action,
        finance_invoice_id: answer.financeInvoiceId,
        amount_gross_minor: normalized.totals.gross,
        payload_sha256: normalized.sha256,
      },
      'pushed to finance',
    );
    this.#observer.note({
      outcome: answer.action,
      at: this.#now(),
      key,
      financeInvoiceId: answer.financeInvoiceId,
      currency: event.currency,
      totals: normalized.totals,
      latencyMs,
      sha256: normalized.sha256,
    });
    return { outcome: answer.action, pushed };
  }
}
