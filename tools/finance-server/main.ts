/**
 * Runs the reference finance server on its own: `node tools/finance-server/main.ts`
 * (or `npm run finance-server`). Environment: FINANCE_SERVER_PORT (default 4010),
 * FINANCE_SERVER_HOST (default 127.0.0.1), FINANCE_JWT_SECRET or FINANCE_JWT_SECRET_FILE
 * (at least 32 bytes), optional FINANCE_JWT_ISSUER, FINANCE_JWT_AUDIENCE, FINANCE_JWT_ALGORITHMS
 * (comma-separated), FINANCE_SERVER_TLS_CERT_FILE and FINANCE_SERVER_TLS_KEY_FILE (PEM; serve HTTPS).
 * Faults are steered over HTTP: `PUT /_admin/faults`.
 */
import { pino } from 'pino';
import { startFinanceServer } from './finance-server.ts';
import { FinanceServerConfigError, readFinanceServerConfig } from './finance-server-config.ts';

const logger = pino({ name: 'finance-server' });

async function main(): Promise<void> {
  let config: ReturnType<typeof readFinanceServerConfig>;
  try {
    config = readFinanceServerConfig(process.env);
  } catch (error) {
    if (!(error instanceof FinanceServerConfigError)) throw error;
    logger.fatal(`finance server not started: ${error.message}`);
    process.exitCode = 1;
    return;
  }
  const server = await startFinanceServer({
    secret: config.secret,
    port: config.port,
    host: config.host,
    issuer: config.issuer,
    audience: config.audience,
    algorithms: config.algorithms,
    ...(config.tls ? { tls: config.tls } : {}),
  });
  logger.info({ url: server.url }, `finance server listening on ${server.url}`);

  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'finance server stopping');
    server.close().then(
      () => logger.info('finance server stopped'),
      (error: unknown) => {
        logger.error({ err: error }, 'finance server did not close cleanly');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'finance server failed to start');
  process.exitCode = 1;
});
