import { Agent, type Dispatcher, interceptors, request } from 'undici';
import type { FinanceConfig } from '../../config/config.ts';
import { messageOf, SyncError } from '../../failures/errors.ts';
import type { FinanceImportAction } from '../../invoice/invoice-events.ts';
import { type TlsTarget, tlsFailureOf, tlsHandshakeError } from '../tls-failure.ts';
import { AdaptiveLimit, type Permit } from './adaptive-limit.ts';
import { type FinanceAnswer, judgeAnswer, judgeProbe, type ProbeVerdict } from './finance-answers.ts';
import { TRANSIENT_STATUSES } from './finance-status.ts';
import type { FinanceTokenSource } from './finance-token.ts';
import { pushDeadline } from './push-deadline.ts';
import { refusedRequestCode } from './refused-request.ts';
import { retryAfterMs, retryDelayMs } from './retry-policy.ts';

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
  /** Called whenever the adaptive concurrency limit changes. */
  onLimit?(limit: number): void;
}

/** Answers and errors that mean "finance is overloaded": the concurrency limit shrinks on them. */
const OVERLOAD_REASONS = new Set(['429', '503', 'UND_ERR_HEADERS_TIMEOUT']);

/**
 * The finance HTTP client: one keep-alive pool with a connection cap (undici pools are unlimited
 * by default and do not pipeline POSTs), timeouts on every phase, undici's retry interceptor
 * deciding by `retryDelayMs` (backoff with jitter, Retry-After honoured), one deadline per push
 * covering every retry, and an adaptive limit on calls in flight (`AdaptiveLimit`): overload seen on
 * any call shrinks it; a Retry-After delays its own call's retry, and every new call only when finance
 * says it is out of capacity (see `adaptive-limit.ts`). Answers are judged in `finance-answers.ts`; a 403 is blamed on the tenant
 * only when a side-effect-free probe shows the configured identity is still accepted.
 */
export class FinanceClient {
  readonly #config: FinanceConfig;
  readonly #tokens: FinanceTokenSource;
  readonly #agent: Agent;
  /** The pool with undici's retry on top, for one call: a refused call's wait for its retry holds no slot. */
  readonly #dispatcherFor: (permit: Permit) => Dispatcher;
  readonly #limit: AdaptiveLimit;
  readonly #limitListeners: ((limit: number) => void)[] = [];
  #probe: Promise<ProbeVerdict> | undefined;

  constructor(config: FinanceConfig, tokens: FinanceTokenSource, hooks: FinanceClientHooks = {}) {
    this.#config = config;
    this.#tokens = tokens;
    // undici's pool sends no more calls at once than it has connections (no pipelining of POSTs) and
    // queues the rest first come, first served: more in flight than connections would only wait there,
    // in no tenant's turn, with the wait counted as finance's latency.
    const connections = config.connections ?? config.maxInFlight;
    this.#agent = new Agent({
      connections,
      // Our CA (FINANCE_CA_FILE) when finance's certificate is signed by a private one.
      connect: { timeout: config.timeouts.connectMs, ...(config.ca === undefined ? {} : { ca: config.ca }) },
      headersTimeout: config.timeouts.headersMs,
      bodyTimeout: config.timeouts.bodyMs,
      keepAliveTimeout: 30_000, // 30 s idle before a pooled socket closes
    });
    this.#limit = new AdaptiveLimit({
      max: Math.min(config.maxInFlight, connections),
      onChange: (limit) => {
        hooks.onLimit?.(limit);
        for (const listener of this.#limitListeners) listener(limit);
      },
    });
    this.#dispatcherFor = (permit) => this.#agent.compose(retryInterceptor(config, hooks, permit));
  }

  /** Calls allowed in flight right now. */
  get concurrencyLimit(): number {
    return this.#limit.limit;
  }

  /** Calls `listener` with the limit now and whenever it changes. */
  followLimit(listener: (limit: number) => void): void {
    this.#limitListeners.push(listener);
    listener(this.#limit.limit);
  }

  /** POSTs the import; on 401/403 retries once with a freshly minted token, then judges. */
  async importInvoice(push: FinanceImport): Promise<FinanceImportResult> {
    // One deadline for the whole push, retries and probe included (FINANCE_PUSH_DEADLINE_MS).
    const deadline = pushDeadline(push.signal, this.#config.pushDeadlineMs);
    try {
      return await this.#import(push, deadline.signal);
    } finally {
      deadline.clear();
    }
  }

  async #import(push: FinanceImport, signal: AbortSignal): Promise<FinanceImportResult> {
    const identity = this.#identityFor(push.tenantId);
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
    const permit = await this.#permit(signal);
    const startedAt = performance.now();
    try {
      const answer = await this.#send(body, identity, signal, idempotencyKey, permit);
      permit.done({ kind: 'ok', latencyMs: performance.now() - startedAt });
      return answer;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      permit.done(status === 429 || status === 503 ? { kind: 'overload', status } : { kind: 'other' });
      throw this.#unavailable(error, signal);
    }
  }

  /** A slot under the adaptive limit; the push's deadline (or revocation) also ends the wait. */
  async #permit(signal: AbortSignal): Promise<Permit> {
    if (signal.aborted) throw this.#unavailable(signal.reason, signal);
    let stop: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      stop = () => reject(this.#unavailable(signal.reason, signal));
      signal.addEventListener('abort', stop, { once: true });
    });
    aborted.catch(() => undefined);
    const acquiring = this.#limit.acquire();
    try {
      return await Promise.race([acquiring, aborted]);
    } catch (error) {
      // The slot may still be granted later: hand it straight back.
      void acquiring.then((permit) => permit.done({ kind: 'other' }));
      throw error;
    } finally {
      // Granted or not, the wait is over: the signal must not keep this call's closures alive.
      signal.removeEventListener('abort', stop);
    }
  }

  async #send(
    body: string,
    identity: string,
    signal: AbortSignal,
    idempotencyKey: string | undefined,
    permit: Permit,
  ): Promise<FinanceAnswer> {
    const token = await this.#tokens.token(identity);
    const response = await request(`${this.#config.baseUrl}${IMPORT_PATH}`, {
      method: 'POST',
      dispatcher: this.#dispatcherFor(permit),
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
  }

  /** Why a call failed: our deadline or the caller's, TLS, a request undici refused, or finance unavailable. */
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
    // A refused certificate is the operator's to fix, and fails every push alike: systemic.
    const tls = tlsFailureOf(error);
    if (tls) return tlsHandshakeError(tls, financeTlsTarget(this.#config.baseUrl), error);
    const refused = refusedRequestCode(error);
    if (refused !== undefined) {
      return new SyncError(
        'FINANCE_REQUEST_INVALID',
        `the HTTP client refused to send the import to finance: ${messageOf(error)} (${refused})`,
        { details: { code: refused }, cause: error },
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

function financeTlsTarget(baseUrl: string): TlsTarget {
  return {
    component: 'finance',
    server: `finance at ${baseUrl}`,
    caVariable: 'FINANCE_CA_FILE',
    notTlsHint: 'check the scheme of SKYAI_FINANCE_URL (http or https)',
  };
}

function retryInterceptor(
  config: FinanceConfig,
  hooks: FinanceClientHooks,
  permit: Permit,
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
      const reason = statusCode ? String(statusCode) : (failure.code ?? 'error');
      if (OVERLOAD_REASONS.has(reason)) {
        const retryAfter = retryAfterMs(failure.headers?.['retry-after']);
        permit.overload({
          status: statusCode,
          retryAfterMs: retryAfter === undefined ? undefined : Math.min(retryAfter, config.retry.maxDelayMs),
        });
      }
      if (delay === undefined) return callback(error);
      hooks.onRetry?.(reason, delay);
      // The refused call gives its slot back while it waits, and waits for one again (and for the
      // Retry-After gate) before its retry. Returning the timer lets undici cancel the wait when the
      // push is aborted; an abort during the slot wait ends the permit, which ends that wait.
      permit.pause();
      const retry = () => void permit.resume().then((go) => go && callback(null));
      return setTimeout(retry, delay) as unknown as null;
    },
  });
}
