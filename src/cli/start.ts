import type { Config } from '../config/config.ts';
import { createLogger } from '../ops/logger.ts';
import { type ServiceRoles, startService } from '../service/service.ts';

/**
 * Runs the consumers until SIGTERM/SIGINT, then shuts down gracefully: stop fetching, let in-flight
 * events finish and commit, disconnect. Exits 0 when that completes within SHUTDOWN_TIMEOUT_MS,
 * 1 when the deadline passes (uncommitted events are then simply delivered again).
 */
export async function startCommand(config: Config, roles: ServiceRoles): Promise<void> {
  const log = createLogger(config.log);
  const service = await startService({ config, roles, logger: log });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, deadline_ms: config.shutdownTimeoutMs }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error({ deadline_ms: config.shutdownTimeoutMs }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
