import type { RegistryConfig } from '../../config/connection-config.ts';
import { SyncError } from '../../failures/errors.ts';
import { tlsFailureOf, tlsHandshakeError } from '../tls-failure.ts';

/**
 * What a failed registry call means: refused credentials or a refused certificate are the
 * operator's to fix (`CREDENTIALS_REFUSED`, `TLS_HANDSHAKE_FAILED`), anything else is the registry
 * being unavailable (`REGISTRY_UNAVAILABLE`). All three are systemic: no event is to blame.
 */
export function registryError(
  error: unknown,
  doing: string,
  access: Pick<RegistryConfig, 'auth' | 'ca'>,
): SyncError {
  // mappersmith reports its own request timeout as an answer with status 400; no answer came.
  const timedOut = /\bTimeout \((\d+)ms\)$/.exec((error as Error).message ?? '');
  if (timedOut) {
    return new SyncError(
      'REGISTRY_UNAVAILABLE',
      `schema registry failed while ${doing}: no answer within ${timedOut[1]} ms`,
      { cause: error, details: { component: 'registry', unanswered: true } },
    );
  }
  const status = (error as { status?: number }).status;
  if (status === 401 || status === 403) return credentialsRefused(status, doing, access, error);
  const tls = tlsFailureOf(error);
  if (tls) {
    return tlsHandshakeError(
      tls,
      {
        component: 'registry',
        server: 'the schema registry',
        caVariable: 'SCHEMA_REGISTRY_CA_FILE',
        notTlsHint: 'check the scheme of SCHEMA_REGISTRY_URL (http or https)',
      },
      error,
    );
  }
  return new SyncError(
    'REGISTRY_UNAVAILABLE',
    `schema registry failed while ${doing}${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`,
    { cause: error },
  );
}

/** The registry took the request and gave no answer in time: alive but stalled (a pause, a loaded host), maybe. */
export function leftUnanswered(error: unknown): boolean {
  return error instanceof SyncError && error.details.unanswered === true;
}

function credentialsRefused(
  status: number,
  doing: string,
  access: Pick<RegistryConfig, 'auth'>,
  cause: unknown,
): SyncError {
  const fix = access.auth
    ? `it refused user "${access.auth.username}": check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD (or SCHEMA_REGISTRY_PASSWORD_FILE)`
    : 'it requires credentials: set SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD (or SCHEMA_REGISTRY_PASSWORD_FILE)';
  return new SyncError(
    'CREDENTIALS_REFUSED',
    `schema registry answered HTTP ${status} while ${doing}; ${fix}`,
    {
      cause,
      details: { component: 'registry', status },
    },
  );
}
