import type { Config } from '../../config/config.ts';
import { SyncError } from '../../failures/errors.ts';
import type { Logger } from '../../ops/logger.ts';
import { type TlsTarget, tlsFailureOf, tlsHandshakeError } from '../tls-failure.ts';
import { createKafka } from './kafka-client.ts';
import { type ListenerProtocol, listenerProtocol } from './listener-protocol.ts';

/** The first connection gives up on a silent broker after this; a refusal comes back in milliseconds. */
const ACCESS_REQUEST_TIMEOUT_MS = 5_000;

/**
 * Connects once, without retries, before the clients that retry (admin, producer, consumers): kafkajs
 * retries an untrusted certificate or a TLS/plaintext mismatch like a network error, for minutes,
 * and reports it as "Closed connection". A refused certificate or login is a configuration error
 * (`TLS_HANDSHAKE_FAILED`, `CREDENTIALS_REFUSED`: exit 78 at start) named here at once. A broker that
 * is merely unreachable is left to the retrying clients, which wait for it as they always did.
 */
export async function verifyKafkaAccess(config: Config['kafka'], log: Logger): Promise<void> {
  const kafka = createKafka(config, log, {
    retry: { retries: 0 },
    requestTimeoutMs: ACCESS_REQUEST_TIMEOUT_MS,
    component: 'kafka-access',
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    const refused = await kafkaAccessError(error, config);
    if (refused) throw refused;
  } finally {
    await admin.disconnect();
  }
}

/** kafkajs wraps the error of the last attempt (KafkaJSNumberOfRetriesExceeded): the cause says what happened. */
function innermost(error: unknown): Error & { type?: string } {
  let current = error as Error & { cause?: unknown };
  while (current?.cause instanceof Error && current.name === 'KafkaJSNumberOfRetriesExceeded') {
    current = current.cause as Error & { cause?: unknown };
  }
  return current;
}

const CLOSED = /Closed connection|Connection closed by the server|socket disconnected before secure TLS/;

/** A catalogued error when `error` says our TLS or login was refused, else undefined (unreachable). */
export async function kafkaAccessError(
  error: unknown,
  config: Config['kafka'],
): Promise<SyncError | undefined> {
  const brokers = config.brokers.join(',');
  const cause = innermost(error);
  const credentials = saslRefusal(cause, config, brokers);
  if (credentials) return credentials;
  const tls = tlsFailureOf(cause);
  if (tls) return tlsHandshakeError(tls, kafkaTlsTarget(brokers, config), error);
  if (!CLOSED.test(cause?.message ?? '')) return undefined;
  const broker = brokerOf(cause, config.brokers);
  const mismatch = tlsMismatch(await listenerProtocol(broker.host, broker.port), config, broker.address);
  if (mismatch === undefined) return undefined;
  return new SyncError('TLS_HANDSHAKE_FAILED', mismatch, { cause: error, details: { component: 'kafka' } });
}

function saslRefusal(cause: Error & { type?: string }, config: Config['kafka'], brokers: string) {
  const { sasl } = config;
  const login = sasl
    ? `the SASL login of "${sasl.username}" (${sasl.mechanism.toUpperCase()})`
    : 'a SASL login';
  const details = { component: 'kafka', mechanism: sasl?.mechanism, username: sasl?.username };
  if (cause?.name === 'KafkaJSSASLAuthenticationError') {
    return new SyncError(
      'CREDENTIALS_REFUSED',
      `Kafka brokers ${brokers} refused ${login}: ${cause.message}; check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)`,
      { cause, details },
    );
  }
  if (cause?.type === 'UNSUPPORTED_SASL_MECHANISM' || cause?.type === 'ILLEGAL_SASL_STATE') {
    return new SyncError(
      'CREDENTIALS_REFUSED',
      `Kafka brokers ${brokers} do not accept ${login} on this listener (${cause.type}): set KAFKA_SASL_MECHANISM to a mechanism the listener enables, or connect to its SASL listener`,
      { cause, details },
    );
  }
  return undefined;
}

function kafkaTlsTarget(brokers: string, config: Config['kafka']): TlsTarget {
  return {
    component: 'kafka',
    server: `Kafka brokers ${brokers}`,
    caVariable: 'KAFKA_SSL_CA_FILE',
    notTlsHint: config.tls
      ? 'the port is not a TLS listener: connect to the SASL_SSL or SSL port, or set KAFKA_SSL=false'
      : 'set KAFKA_SSL=true to reach a TLS listener',
    clientCertificateHint:
      'the listener requires mutual TLS: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE to a client certificate signed by a CA it trusts',
  };
}

function tlsMismatch(
  protocol: ListenerProtocol,
  config: Config['kafka'],
  address: string,
): string | undefined {
  if (protocol === 'tls' && !config.tls) {
    return `TLS handshake with Kafka broker ${address} never started: the port is a TLS (SASL_SSL or SSL) listener but KAFKA_SSL is false; set KAFKA_SSL=true (and KAFKA_SSL_CA_FILE if a private CA signed its certificate)`;
  }
  if (protocol === 'plaintext' && config.tls) {
    return `TLS handshake with Kafka broker ${address} failed: the port is a PLAINTEXT listener but KAFKA_SSL is true; use the broker's TLS port in KAFKA_BROKERS, or set KAFKA_SSL=false`;
  }
  return undefined;
}

/** The broker the failed connection went to (kafkajs names it), else the first bootstrap broker. */
function brokerOf(cause: Error & { broker?: string; host?: string; port?: number }, brokers: string[]) {
  const address = cause.broker ?? (cause.host ? `${cause.host}:${cause.port}` : brokers[0]) ?? '';
  const separator = address.lastIndexOf(':');
  return { address, host: address.slice(0, separator), port: Number(address.slice(separator + 1)) };
}
