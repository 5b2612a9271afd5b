import { Agent, type Dispatcher, interceptors, request } from 'undici';
import type { FinanceConfig } from '../../config/config.ts';
import { SyncError } from '../../core/errors.ts';
import { TRANSIENT_STATUSES } from '../../core/finance-status.ts';
import type { FinanceImportAction } from '../../events/invoice-events.ts';
import { type FinanceAnswer, judgeAnswer, judgeProbe, type ProbeVerdict } from './finance-answers.ts';
import type { FinanceTokenSource } from './finance-token.ts';
import { retryDelayMs } from './retry-policy.ts';

export const IMPORT_PATH = '/api/v1/integrations/cloud/import-invoice';

export interface FinanceImportResult {
  financeInvoiceId: string;
  action: FinanceImportAction;
}

export interface FinanceImport {
  /** The exact JSON body. */
  body: string;
  /** The invoice's tenant: the token's identity in `event-tenant` mode, named in errors. */
  tenantId: string;
  /** `{tenant_id}:{source}:{external_id}:{payload_sha256}` (DESIGN.md). */
  idempotencyKey: string;
  /** Aborted when the push must stop (its partition may be revoked); the reason is rethrown. */
  signal?: AbortSignal;
}

export interface FinanceClientHooks {
  /** Called before each retry with what failed: a status code or an error code. */
  onRetry?(reason: string, delayMs: number): void;
}

/**
 * The finance HTTP client: one keep-alive pool with a connection cap (undici pools are unlimited
 * by default and do not pipeline POSTs), timeouts on every phase, undici's retry interceptor
 * deciding by `retryDelayMs` (backoff with jitter, Retry-After honoured), and one deadline per push
 * covering every retry. Answers are judged in `finance-answers.ts`; a 403 is blamed on the tenant
 * only when a side-effect-free probe shows the configured identity is still accepted.
 */
export class FinanceClient {
  readonly #config: FinanceConfig;
  readonly #tokens: FinanceTokenSource;
  readonly #agent: Agent;
  readonly #dispatcher: Dispatcher;
  #probe: Promise<ProbeVerdict> | undefined;

  constructor(config: FinanceConfig, tokens: FinanceTokenSource, hooks: FinanceClientHooks = {}) {
    this.#config = config;
    this.#tokens = tokens;
    this.#agent = new Agent({
      connections: config.connections,
      connect: { timeout: config.timeouts.connectMs },
      headersTimeout: config.timeouts.headersMs,
      bodyTimeout: config.timeouts.bodyMs,
      keepAliveTimeout: 30_000, // 30 s idle before a pooled socket closes
    });
    this.#dispatcher = this.#agent.compose(retryInterceptor(config, hooks));
  }

  /** POSTs the import; on 401/403 retries once with a freshly minted token, then judges. */
  async importInvoice(push: FinanceImport): Promise<FinanceImportResult> {
    const identity = this.#identityFor(push.tenantId);
    const signal = this.#deadline(push.signal);
    const first = await this.#post(push.body, identity, signal, push.idempotencyKey);
    if (first.statusCode !== 401 && first.statusCode !== 403) return judgeAnswer(first, push.tenantId);
    this.#tokens.invalidate(identity);
    const second = await this.#post(push.body, identity, signal, push.idempotencyKey);
    if (second.statusCode !== 403) return judgeAnswer(second, push.tenantId);
    return judgeAnswer(second, push.tenantId, await this.#probeConfiguredIdentity(signal));
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  #identityFor(tenantId: string): string {
    return this.#config.identity.mode === 'event-tenant' ? tenantId : this.#config.identity.tenantId;
  }

  /** One deadline for the whole push, retries and probe included (FINANCE_PUSH_DEADLINE_MS). */
  #deadline(outer: AbortSignal | undefined): AbortSignal {
    const timeout = AbortSignal.timeout(this.#config.pushDeadlineMs);
    return outer ? AbortSignal.any([outer, timeout]) : timeout;
  }

  /**
   * An import with the body `{}` under the configured identity: an authorized identity gets 422 and
   * nothing changes. Concurrent 403s share the probe in flight, but no verdict is kept beyond it: a
   * stale "accepted" would dead-letter good invoices once the credentials themselves were revoked.
   */
  #probeConfiguredIdentity(signal: AbortSignal): Promise<ProbeVerdict> {
    this.#probe ??= this.#post('{}', this.#config.identity.tenantId, signal)
      .then(judgeProbe)
      .finally(() => {
        this.#probe = undefined;
      });
    return this.#probe;
  }

  async #post(
    body: string,
    identity: string,
    signal: AbortSignal,
    idempotencyKey?: string,
  ): Promise<FinanceAnswer> {
    try {
      const token = await this.#tokens.token(identity);
      const response = await request(`${this.#config.baseUrl}${IMPORT_PATH}`, {
        method: 'POST',
        dispatcher: this.#dispatcher,
        signal,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
          ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
        },
        body,
      });
      // Always read the body: an unread body keeps its socket out of the pool.
      return { statusCode: response.statusCode, text: await response.body.text() };
    } catch (error) {
      throw this.#unavailable(error, signal);
    }
  }

  #unavailable(error: unknown, signal: AbortSignal): SyncError {
    if (signal.aborted) {
      // The caller's reason (e.g. PARTITION_REVOKED) wins over our own deadline.
      if (signal.reason instanceof SyncError) return signal.reason;
      const ms = this.#config.pushDeadlineMs;
      return new SyncError(
        'FINANCE_UNAVAILABLE',
        `push deadline of ${ms} ms passed (FINANCE_PUSH_DEADLINE_MS)`,
        {
          details: { deadline_ms: ms },
          cause: error,
        },
      );
    }
    const failure = error as Error & { statusCode?: number; code?: string };
    const what = failure.statusCode ? `HTTP ${failure.statusCode}` : (failure.code ?? failure.message);
    return new SyncError('FINANCE_UNAVAILABLE', `finance unavailable after retries: ${what}`, {
      details: { status: failure.statusCode, code: failure.code },
      cause: error,
    });
  }
}

function retryInterceptor(
  config: FinanceConfig,
  hooks: FinanceClientHooks,
): Dispatcher.DispatcherComposeInterceptor {
  return interceptors.retry({
    methods: ['POST'],
    statusCodes: [...TRANSIENT_STATUSES],
    retry: (error, { state }, callback) => {
      const failure = error as Error & {
        statusCode?: number;
        code?: string;
        headers?: Record<string, string>;
      };
      const statusCode = failure.code === 'UND_ERR_REQ_RETRY' ? failure.statusCode : undefined;
      const delay = retryDelayMs(
        {
          attempt: state.counter,
          statusCode,
          code: failure.code,
          retryAfter: failure.headers?.['retry-after'],
        },
        config.retry,
      );
      if (delay === undefined) return callback(error);
      hooks.onRetry?.(statusCode ? String(statusCode) : (failure.code ?? 'error'), delay);
      // Returning the timer lets undici cancel the wait when the push is aborted.
      return setTimeout(() => callback(null), delay) as unknown as null;
    },
  });
}
