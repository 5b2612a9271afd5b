import { Agent, type Dispatcher, interceptors, request } from 'undici';
import type { FinanceConfig } from '../../config/config.ts';
import { SyncError } from '../../core/errors.ts';
import type { FinanceImportAction } from '../../events/invoice-events.ts';
import type { FinanceTokenSource } from './finance-token.ts';
import { retryDelayMs } from './retry-policy.ts';

export const IMPORT_PATH = '/api/v1/integrations/cloud/import-invoice';

export interface FinanceImportResult {
  financeInvoiceId: string;
  action: FinanceImportAction;
}

export interface FinanceClientHooks {
  /** Called before each retry with what failed: a status code or an error code. */
  onRetry?(reason: string, delayMs: number): void;
}

/**
 * The finance HTTP client: one keep-alive pool with a connection cap (undici pools are unlimited
 * by default and do not pipeline POSTs), timeouts on every phase, and undici's retry interceptor
 * deciding by `retryDelayMs` (backoff with jitter, Retry-After honoured). Every answer becomes a
 * result or a classified SyncError carrying finance's response body.
 */
export class FinanceClient {
  readonly #config: FinanceConfig;
  readonly #tokens: FinanceTokenSource;
  readonly #agent: Agent;
  readonly #dispatcher: Dispatcher;

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
    const policy = config.retry;
    this.#dispatcher = this.#agent.compose(
      interceptors.retry({
        methods: ['POST'],
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
            policy,
          );
          if (delay === undefined) return callback(error);
          hooks.onRetry?.(statusCode ? String(statusCode) : (failure.code ?? 'error'), delay);
          return setTimeout(() => callback(null), delay) as unknown as null;
        },
      }),
    );
  }

  /** POSTs the exact JSON body; on 401/403 retries once with a freshly minted token. */
  async importInvoice(body: string): Promise<FinanceImportResult> {
    const first = await this.#post(body);
    if (first.statusCode !== 401 && first.statusCode !== 403) return toResult(first);
    this.#tokens.invalidate();
    return toResult(await this.#post(body));
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #post(body: string): Promise<{ statusCode: number; text: string }> {
    const token = await this.#tokens.token();
    try {
      const response = await request(`${this.#config.baseUrl}${IMPORT_PATH}`, {
        method: 'POST',
        dispatcher: this.#dispatcher,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body,
      });
      // Always read the body: an unread body keeps its socket out of the pool.
      return { statusCode: response.statusCode, text: await response.body.text() };
    } catch (error) {
      const failure = error as Error & { statusCode?: number; code?: string };
      const what = failure.statusCode ? `HTTP ${failure.statusCode}` : (failure.code ?? failure.message);
      throw new SyncError('FINANCE_UNAVAILABLE', `finance unavailable after retries: ${what}`, {
        details: { status: failure.statusCode, code: failure.code },
        cause: error,
      });
    }
  }
}

function toResult({ statusCode, text }: { statusCode: number; text: string }): FinanceImportResult {
  const details = { status: statusCode, body: truncate(text) };
  if (statusCode === 200 || statusCode === 201) {
    const parsed = safeJson(text) as { data?: { id?: unknown; action?: unknown } } | undefined;
    const id = parsed?.data?.id;
    const action = parsed?.data?.action;
    if (typeof id === 'string' && (action === 'created' || action === 'updated')) {
      return { financeInvoiceId: id, action };
    }
    throw new SyncError(
      'FINANCE_UNEXPECTED_ANSWER',
      `finance answered ${statusCode} without data.id/action: ${details.body}`,
      {
        details,
      },
    );
  }
  if (statusCode === 401 || statusCode === 403) {
    throw new SyncError(
      'FINANCE_UNAUTHORIZED',
      `finance refused the credentials twice (HTTP ${statusCode}): ${details.body}`,
      {
        details,
      },
    );
  }
  if (statusCode >= 400 && statusCode < 500) {
    throw new SyncError(
      'FINANCE_REJECTED',
      `finance rejected the invoice (HTTP ${statusCode}): ${details.body}`,
      { details },
    );
  }
  throw new SyncError('FINANCE_UNEXPECTED_ANSWER', `finance answered HTTP ${statusCode}: ${details.body}`, {
    details,
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function truncate(text: string, max = 2_000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
