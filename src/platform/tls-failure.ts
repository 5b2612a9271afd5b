import { SyncError } from '../failures/errors.ts';

/**
 * Recognises a failed TLS handshake in whatever a client library threw (Node's TLS error codes,
 * possibly wrapped in causes or an AggregateError) and turns it into `TLS_HANDSHAKE_FAILED` saying
 * whose certificate was refused, why, and which variable fixes it. Shared by the Kafka, registry,
 * PostgreSQL and finance adapters so that each failure reads the same.
 */
export type TlsFailureKind =
  | 'untrusted'
  | 'expired'
  | 'wrong-host'
  | 'client-certificate-refused'
  | 'not-tls';

export interface TlsFailure {
  kind: TlsFailureKind;
  /** Node's or OpenSSL's code, e.g. SELF_SIGNED_CERT_IN_CHAIN. */
  code: string;
  message: string;
}

/** What the message names: the server, the CA variable, and how to fix the two other mistakes. */
export interface TlsTarget {
  component: 'kafka' | 'registry' | 'database' | 'finance';
  /** e.g. "Kafka broker 10.0.0.1:9094", "finance at https://finance.internal". */
  server: string;
  caVariable: string;
  /** What to do when the server speaks no TLS on that port (or we speak none to a TLS port). */
  notTlsHint: string;
  /** What to do when the server refused our client certificate (mutual TLS). */
  clientCertificateHint?: string;
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
// OpenSSL alerts a server sends when it refuses (or misses) our client certificate.
const CLIENT_CERTIFICATE_REFUSED =
  /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN)/;
const NOT_TLS_CODES = /^(ERR_SSL_WRONG_VERSION_NUMBER|ERR_SSL_PACKET_LENGTH_TOO_LONG|ERR_SSL_HTTP_REQUEST)$/;
// pg's own words when the server answers "no" to its SSLRequest.
const NOT_TLS_MESSAGES = ['The server does not support SSL connections'];
/**
 * OpenSSL's words for each code, for libraries that keep only the message: the registry client
 * (mappersmith) turns a socket error into an HTTP 400 "response" carrying just `error.message`.
 * The most specific phrase comes first ("self-signed certificate" ends the chain one).
 */
const CODES_BY_MESSAGE: [phrase: string, code: string][] = [
  ['self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'],
  ['self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  ['unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ['unable to get local issuer certificate', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  ['certificate has expired', 'CERT_HAS_EXPIRED'],
  ["does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'],
  ['wrong version number', 'ERR_SSL_WRONG_VERSION_NUMBER'],
];

const MAX_DEPTH = 5;

function kindOf(code: string, message: string): TlsFailureKind | undefined {
  if (UNTRUSTED.has(code)) return 'untrusted';
  if (EXPIRED.has(code)) return 'expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'wrong-host';
  if (CLIENT_CERTIFICATE_REFUSED.test(code)) return 'client-certificate-refused';
  if (NOT_TLS_CODES.test(code) || NOT_TLS_MESSAGES.some((text) => message.includes(text))) return 'not-tls';
  return undefined;
}

/** The TLS failure inside `error` (its causes and aggregated errors included), if there is one. */
export function tlsFailureOf(error: unknown, depth = 0): TlsFailure | undefined {
  if (!(error instanceof Error) || depth > MAX_DEPTH) return undefined;
  const { code: raw } = error as { code?: unknown };
  const code =
    typeof raw === 'string'
      ? raw
      : (CODES_BY_MESSAGE.find(([phrase]) => error.message.includes(phrase))?.[1] ?? '');
  const kind = kindOf(code, error.message);
  if (kind) return { kind, code: code || 'NO_TLS', message: error.message };
  const nested = error instanceof AggregateError ? error.errors : [];
  for (const inner of [error.cause, ...nested]) {
    const found = tlsFailureOf(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function explain(failure: TlsFailure, target: TlsTarget): string {
  const refused = `${target.server}: its certificate was refused`;
  switch (failure.kind) {
    case 'untrusted':
      return `${refused}, it is not signed by a CA we trust (${failure.code}); set ${target.caVariable} to the PEM certificate of the CA that signed it`;
    case 'expired':
      return `${refused}, it ${failure.code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet'} (${failure.code}); the server needs a current certificate`;
    case 'wrong-host':
      return `${refused}, it is issued for another host (${failure.message}); connect by a name the certificate lists`;
    case 'client-certificate-refused':
      return `${target.server} refused our client certificate (${failure.code}); ${target.clientCertificateHint ?? 'it requires mutual TLS, which this connection does not support'}`;
    case 'not-tls':
      return `${target.server} and this client disagree on TLS (${failure.code}); ${target.notTlsHint}`;
  }
}

/** `TLS_HANDSHAKE_FAILED` for `failure`, naming the server, the cause and the variable to fix. */
export function tlsHandshakeError(failure: TlsFailure, target: TlsTarget, cause: unknown): SyncError {
  return new SyncError('TLS_HANDSHAKE_FAILED', `TLS handshake with ${explain(failure, target)}`, {
    cause,
    details: { component: target.component, tls_code: failure.code, tls_failure: failure.kind },
  });
}
