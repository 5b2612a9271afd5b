import pino, { type Logger } from 'pino';
import { scrubCredentials } from './log-scrub.ts';
import { traceIdsForLog } from './tracing.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  pretty: boolean;
  /** Where JSON lines go; defaults to stdout. Tests pass a stream to read the lines back. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    base: { service: 'invoice-finance-sync' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // A line written inside a span carries its trace_id and span_id (nothing while tracing is off).
    mixin: traceIdsForLog,
    // Credentials never reach a line: not the bearer token, the shared secret, nor a password (Kafka
    // SASL, registry basic auth), whether in what a line logs or in a child logger's bindings.
    formatters: {
      level: (label: string) => ({ level: label }),
      log: scrubCredentials,
      bindings: scrubCredentials,
    },
  };
  if (options.pretty) {
    return scrubbingChildren(
      pino({
        ...base,
        transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
      }),
    );
  }
  return scrubbingChildren(options.destination ? pino(base, options.destination) : pino(base));
}

/**
 * pino applies `formatters.bindings` to the root's bindings only; a child's are scrubbed here. Every
 * descendant inherits this `child` from the root (pino makes children with `Object.create`).
 */
function scrubbingChildren(logger: Logger): Logger {
  const child = logger.child as unknown as (
    this: Logger,
    bindings: pino.Bindings,
    options?: unknown,
  ) => Logger;
  const scrubbed = function (this: Logger, bindings: pino.Bindings, options?: unknown) {
    return child.call(this, scrubCredentials(bindings), options);
  };
  logger.child = scrubbed as unknown as Logger['child'];
  return logger;
}
