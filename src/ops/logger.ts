import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths that could ever carry a credential. pino removes them before a line is written, so a
 * careless `log.info({ headers })` can never leak the bearer token, the shared secret, or a
 * password (Kafka SASL, registry basic auth).
 */
const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'finance.secret',
  'password',
  '*.password',
  '*.*.password',
  'sasl',
  '*.sasl',
];

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
    redact: { paths: REDACTED_PATHS, remove: true },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (options.pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
