import { SyncError } from '../../failures/errors.ts';
import { tlsFailureOf, tlsHandshakeError } from '../tls-failure.ts';

/**
 * Tells "the database is unreachable or refusing us" (systemic: stop consuming, report not-ready,
 * retry) from everything else (a bug or bad data, which must surface as is).
 */

// Socket-level failures reported by Node (also inside an AggregateError when several addresses were tried).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

// SQLSTATEs meaning the server, not the statement, is the problem.
const SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server was stopped or the backend terminated
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
  '53300', // too_many_connections
  '3D000', // invalid_catalog_name: the database does not exist (not created or dropped)
]);

// SQLSTATEs meaning the server refused who we are (or how we connect: pg_hba.conf may demand TLS).
const REFUSED_SQLSTATES = new Set([
  '28000', // invalid_authorization_specification, e.g. no pg_hba.conf entry for this user, host or encryption
  '28P01', // invalid_password
]);

// `pg` and `pg-pool` report these without a code.
const MESSAGES = [
  'Connection terminated', // also "... unexpectedly" and "... due to connection timeout"
  'timeout exceeded when trying to connect', // pool could not get a connection in time
  'Client has encountered a connection error and is not queryable',
  'Cannot use a pool after calling end on the pool',
  'the database system is', // starting up / shutting down / in recovery mode
];

const MAX_CAUSE_DEPTH = 5;

export function isConnectionError(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > MAX_CAUSE_DEPTH) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (NETWORK_CODES.has(code) || SQLSTATES.has(code) || REFUSED_SQLSTATES.has(code) || code.startsWith('08'))
  ) {
    return true; // class 08 is "connection exception"
  }
  if (MESSAGES.some((text) => error.message.includes(text))) return true;
  const nested = error instanceof AggregateError ? error.errors : [];
  return [error.cause, ...nested].some((inner) => isConnectionError(inner, depth + 1));
}

/** Runs a database call, turning connection failures into `DATABASE_UNAVAILABLE`; other errors pass through. */
export async function withDatabaseErrors<T>(
  operation: string,
  details: Record<string, unknown>,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDatabaseError(error, operation, details);
  }
}

export function toDatabaseError(
  error: unknown,
  operation: string,
  details: Record<string, unknown> = {},
): unknown {
  if (error instanceof SyncError) return error;
  const tls = tlsFailureOf(error);
  if (tls) return tlsHandshakeError(tls, DATABASE_TLS, error);
  if (!isConnectionError(error)) return error;
  const reason = describe(error);
  if (REFUSED_SQLSTATES.has(String((error as { code?: unknown }).code))) {
    return new SyncError(
      'CREDENTIALS_REFUSED',
      `PostgreSQL refused the connection during ${operation}: ${reason}; check the user and password in DATABASE_URL (and its sslmode, if pg_hba.conf requires TLS)`,
      { cause: error, details: { component: 'database', operation, ...details } },
    );
  }
  return new SyncError('DATABASE_UNAVAILABLE', `database unavailable during ${operation}: ${reason}`, {
    cause: error,
    details: { operation, ...details },
  });
}

const DATABASE_TLS = {
  component: 'database',
  server: 'PostgreSQL',
  caVariable: 'DATABASE_CA_FILE',
  notTlsHint: 'the server does not accept TLS: enable ssl on it, or drop sslmode from DATABASE_URL',
} as const;

// Node's AggregateError (one failure per address tried) has an empty message but a code.
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return error.message || (typeof code === 'string' ? code : error.name);
}
