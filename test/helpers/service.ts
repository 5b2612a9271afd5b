import { Writable } from 'node:stream';
import { onTestFinished } from 'vitest';
import { publishLinesIngested } from '../../src/cli/ingest.ts';
import { loadConfig } from '../../src/config/config.ts';
import { buildLinesIngestedEvent } from '../../src/ingest/build-lines-ingested.ts';
import type { InvoiceLinesIngested } from '../../src/invoice/invoice-events.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { type Infrastructure, openInfrastructure } from '../../src/service/infrastructure.ts';
import { type Service, type ServiceRoles, startService } from '../../src/service/service.ts';
import { type FinanceServer, startFinanceServer } from '../../tools/finance-server/finance-server.ts';
import { TEST_SECRET, testEnv } from './test-config.ts';

/** A reference finance server for one test (HTTPS when given a certificate), closed when the test ends. */
export async function financeForTest(
  options: { tls?: { cert: string; key: string } } = {},
): Promise<FinanceServer> {
  const finance = await startFinanceServer({ secret: TEST_SECRET, ...options });
  onTestFinished(() => finance.close());
  return finance;
}

/** Captures the JSON log lines of a service under test. */
export function logCapture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', pretty: false, destination }) };
}

/** Starts the service with the given environment; stopped when the test ends. */
export async function serviceForTest(
  env: Record<string, string>,
  roles: ServiceRoles = { pusher: true, recorder: true },
  logger = createLogger({ level: 'silent', pretty: false }),
): Promise<Service> {
  const service = await startService({ config: loadConfig(env), roles, logger, opsServer: true });
  let stopped = false;
  onTestFinished(async () => {
    if (!stopped) await service.stop();
  });
  const stop = service.stop;
  service.stop = async () => {
    stopped = true;
    await stop();
  };
  return service;
}

/** Kafka + registry + database handles for publishing and inspecting, closed when the test ends. */
export async function infraForTest(env: Record<string, string>): Promise<Infrastructure> {
  const infra = await openInfrastructure(loadConfig(env), createLogger({ level: 'silent', pretty: false }));
  onTestFinished(() => infra.close());
  return infra;
}

/** A small valid invoice with a chosen id, for tests that need many distinct keys. */
export function smallInvoice(
  providerInvoiceId: string,
  amounts: number[] = [1000, 100],
): InvoiceLinesIngested {
  return buildLinesIngestedEvent({
    tenantId: 'platform-admin',
    provider: 'digitalocean',
    providerInvoiceId,
    invoicePeriod: '2026-04-01',
    currency: 'USD',
    lines: amounts.map((amount, i) => ({
      description: i === amounts.length - 1 ? 'GST (10%)' : `Droplet ${i}`,
      amount_minor: amount,
      product: null,
      resource_id: null,
      project: null,
    })),
  });
}

export { APRIL_2026, april2026Event } from '../fixtures/april-2026.ts';
export { publishLinesIngested, testEnv };
