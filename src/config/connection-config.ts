import { readPemFile, readSecretValue } from './config-files.ts';
import { type SslMode, sslModeOf } from './connection-rules.ts';
import type { Env } from './env-schema.ts';

/**
 * How the service reaches Kafka, the registry, PostgreSQL and finance when they are secured: the
 * PEM texts and secrets are read here, at start, so the adapters never touch the file system and a
 * wrong path is a configuration error naming its variable.
 */

/** TLS client options: the CA to trust instead of the system's, and a client certificate (mTLS). */
export interface ClientTls {
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
}

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSasl {
  mechanism: SaslMechanism;
  username: string;
  /** Never logged: pino redacts `password` paths, error messages name the variable instead. */
  password: string;
}

export interface RegistryConfig {
  url: string;
  /** HTTP basic auth (Confluent Cloud: API key and secret). */
  auth: { username: string; password: string } | undefined;
  /** PEM CA of an https registry, when not signed by a CA the system trusts. */
  ca: string | undefined;
}

/** libpq's modes as pg can honour them: `allow` and `prefer` become `disable` (pg cannot fall back). */
export interface DatabaseTls {
  mode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  ca: string | undefined;
}

export function kafkaTls(env: Env): ClientTls | undefined {
  if (!env.KAFKA_SSL) return undefined;
  return {
    ca: readPemFile('KAFKA_SSL_CA_FILE', env.KAFKA_SSL_CA_FILE, 'certificate'),
    cert: readPemFile('KAFKA_SSL_CERT_FILE', env.KAFKA_SSL_CERT_FILE, 'certificate'),
    key: readPemFile('KAFKA_SSL_KEY_FILE', env.KAFKA_SSL_KEY_FILE, 'private key'),
  };
}

export function kafkaSasl(env: Env): KafkaSasl | undefined {
  if (env.KAFKA_SASL_MECHANISM === '') return undefined;
  return {
    mechanism: env.KAFKA_SASL_MECHANISM,
    username: env.KAFKA_SASL_USERNAME,
    password: readSecretValue('KAFKA_SASL_PASSWORD', env.KAFKA_SASL_PASSWORD, env.KAFKA_SASL_PASSWORD_FILE),
  };
}

export function registryConfig(env: Env): RegistryConfig {
  const password = readSecretValue(
    'SCHEMA_REGISTRY_PASSWORD',
    env.SCHEMA_REGISTRY_PASSWORD,
    env.SCHEMA_REGISTRY_PASSWORD_FILE,
  );
  return {
    url: env.SCHEMA_REGISTRY_URL,
    auth: env.SCHEMA_REGISTRY_USERNAME ? { username: env.SCHEMA_REGISTRY_USERNAME, password } : undefined,
    ca: readPemFile('SCHEMA_REGISTRY_CA_FILE', env.SCHEMA_REGISTRY_CA_FILE, 'certificate'),
  };
}

export function databaseTls(env: Env): DatabaseTls {
  const mode = (sslModeOf(env.DATABASE_URL) ?? 'disable') as SslMode;
  return {
    mode: mode === 'allow' || mode === 'prefer' ? 'disable' : mode,
    ca: readPemFile('DATABASE_CA_FILE', env.DATABASE_CA_FILE, 'certificate'),
  };
}

export function financeCa(env: Env): string | undefined {
  return readPemFile('FINANCE_CA_FILE', env.FINANCE_CA_FILE, 'certificate');
}
