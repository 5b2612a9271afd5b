import type { Config } from '../../config/config.ts';
import type { Metrics } from '../../ops/metrics.ts';
import { FinanceClient } from './finance-client.ts';
import { FinanceTokenSource } from './finance-token.ts';

/**
 * Builds a finance client whose retries and concurrency limit are measured, or undefined when
 * finance is not configured. `maxInFlight` overrides PUSHER_MAX_IN_FLIGHT (replay --max-in-flight).
 */
export function createFinanceClient(
  platform: { config: Config; metrics: Metrics },
  overrides: { maxInFlight?: number } = {},
): FinanceClient | undefined {
  const { finance: configured } = platform.config;
  const finance = { ...configured, maxInFlight: overrides.maxInFlight ?? configured.maxInFlight };
  if (!finance.secret) return undefined;
  return new FinanceClient(finance, new FinanceTokenSource(finance, finance.secret), {
    onRetry: (reason) => platform.metrics.financeRetries.inc({ reason }),
    onLimit: (limit) => platform.metrics.financeConcurrencyLimit.set(limit),
  });
}
