import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { requireLineCount } from '../invoice/event-limits.ts';
import {
  type InvoiceLinesIngested,
  type InvoicePushedToFinance,
  invoiceKey,
} from '../invoice/invoice-events.ts';
import { requireValidIdentifiers } from '../invoice/invoice-identity.ts';
import { type NormalizedInvoice, normalizeInvoice } from '../invoice/normalize-invoice.ts';
import { pushedEventFor } from '../invoice/pushed-event.ts';
import type { TaxWordsByProvider } from '../invoice/tax-rule.ts';
import type { Logger } from '../ops/logger.ts';
import type { Metrics } from '../ops/metrics.ts';
import { annotate, inSpan, inSpanSync, traceHeaders } from '../ops/tracing.ts';
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
    const normalized = inSpanSync('normalize invoice', {}, () => {
      // Here, not in the consumer, so a replay holds to the same limit; the key is valid to show once
      // the identifiers are.
      requireValidIdentifiers(event);
      requireLineCount(event, invoiceKey(event), this.#deps.maxLines);
      return normalizeInvoice(event, this.#deps.taxWords);
    });
    if (!options.force && (await this.#financeHolds(event, normalized))) {
      return this.#skipped(event, normalized, log);
    }
    const key = invoiceKey(event);
    const startedAt = this.#now();
    const answer = await this.#import(event, normalized, options);
    const latencyMs = this.#now() - startedAt;
    const pushed = await this.#announce(event, normalized, answer, options);
    this.#deps.metrics.events.inc({ consumer: 'pusher', outcome: answer.action });
    annotate({ 'invoice.outcome': answer.action });
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

  /** The skip check: finance already holds exactly these bytes when the recorded hash is theirs. */
  #financeHolds(event: InvoiceLinesIngested, normalized: NormalizedInvoice): Promise<boolean> {
    return inSpan('skip check', {}, async (span) => {
      const recorded = await this.#deps.recorded.recordedPayloadSha(
        event.tenant_id,
        event.provider,
        event.provider_invoice_id,
      );
      span?.setAttribute('invoice.recorded_payload_matches', recorded === normalized.sha256);
      return recorded === normalized.sha256;
    });
  }

  #skipped(event: InvoiceLinesIngested, normalized: NormalizedInvoice, log: Logger): PushOutcome {
    this.#deps.metrics.events.inc({ consumer: 'pusher', outcome: 'skipped' });
    annotate({ 'invoice.outcome': 'skipped' });
    log.info({ payload_sha256: normalized.sha256 }, 'skipped: finance already holds this exact payload');
    this.#observer.note({
      outcome: 'skipped',
      at: this.#now(),
      key: invoiceKey(event),
      sha256: normalized.sha256,
    });
    return { outcome: 'skipped', sha256: normalized.sha256 };
  }

  /** The finance call; its HTTP requests (one per attempt) are this span's children. */
  #import(event: InvoiceLinesIngested, normalized: NormalizedInvoice, options: PushOptions) {
    const stopTimer = this.#deps.metrics.pushDuration.startTimer();
    return inSpan('finance import', {}, async (span) => {
      const answer = await this.#deps.finance.importInvoice({
        body: normalized.body,
        tenantId: event.tenant_id,
        idempotencyKey: `${invoiceKey(event)}:${normalized.sha256}`,
        signal: options.signal,
      });
      stopTimer({ action: answer.action });
      span?.setAttributes({ 'invoice.finance_action': answer.action });
      return answer;
    });
  }

  /**
   * Announces the push on invoice.pushed_to_finance, in a producer span whose context goes in the
   * record's `traceparent` header: a subscriber's processing continues this trace.
   */
  async #announce(
    event: InvoiceLinesIngested,
    normalized: NormalizedInvoice,
    answer: FinanceImportResult,
    options: PushOptions,
  ): Promise<InvoicePushedToFinance> {
    const { codec, contracts, pushedSchemaId, pushedTopic, sender } = this.#deps;
    const pushed = pushedEventFor(event, normalized, answer, { eventId: randomUUID(), nowMs: this.#now() });
    const value = await codec.encode(pushedSchemaId, contracts.pushedToFinance, pushed);
    // Finance holds it either way; announcing is what a revoked partition's member must not do.
    options.signal?.throwIfAborted();
    const key = invoiceKey(event);
    const attributes = producerAttributes(pushedTopic, key);
    await inSpan(`send ${pushedTopic}`, { kind: SpanKind.PRODUCER, attributes }, () =>
      sender.send({ topic: pushedTopic, key, value, headers: traceHeaders() }),
    );
    return pushed;
  }
}

/** OpenTelemetry's messaging attributes of a Kafka produce. */
function producerAttributes(topic: string, key: string) {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'send',
    'messaging.destination.name': topic,
    'messaging.kafka.message.key': key,
  };
}
