import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHkey\n-----END PRIVATE KEY-----\n';
const PASSWORD = 'sasl-password-never-shown';

function files(): Record<'ca' | 'cert' | 'key' | 'password' | 'jks', string> {
  const dir = mkdtempSync(join(tmpdir(), 'ifs-tls-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  return {
    ca: write('ca.pem', CA),
    cert: write('client.pem', CERT),
    key: write('client.key', KEY),
    password: write('password', `${PASSWORD}\n`),
    jks: write('truststore.jks', '\xfe\xed\xfe\xed binary keystore'),
  };
}

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('connection security configuration', () => {
  it('connects in plaintext without credentials by default', () => {
    const config = loadConfig({});
    expect([config.kafka.tls, config.kafka.sasl]).toEqual([undefined, undefined]);
    expect(config.schemaRegistry).toEqual({
      url: 'http://127.0.0.1:8081/apis/ccompat/v7',
      auth: undefined,
      ca: undefined,
    });
    expect(config.database.tls).toEqual({ mode: 'disable', ca: undefined });
    expect(config.finance.ca).toBeUndefined();
  });

  it('reads Kafka’s CA, client certificate and SASL password file at start', () => {
    const f = files();
    const config = loadConfig({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: f.ca,
      KAFKA_SSL_CERT_FILE: f.cert,
      KAFKA_SSL_KEY_FILE: f.key,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'billing',
      KAFKA_SASL_PASSWORD: 'inline-loses-to-the-file',
      KAFKA_SASL_PASSWORD_FILE: f.password,
    });
    expect(config.kafka.tls).toEqual({ ca: CA, cert: CERT, key: KEY });
    expect(config.kafka.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'billing',
      password: PASSWORD,
    });
    expect(Object.isFrozen(config.kafka.sasl)).toBe(true);
  });

  it('trusts the system CAs when KAFKA_SSL is set without a CA file', () => {
    expect(loadConfig({ KAFKA_SSL: 'true' }).kafka.tls).toEqual({
      ca: undefined,
      cert: undefined,
      key: undefined,
    });
  });

  it('refuses half-configured Kafka TLS and SASL, naming each variable, never showing the password', () => {
    const f = files();
    const message = refusal({
      KAFKA_SSL_CA_FILE: f.ca,
      KAFKA_SSL_CERT_FILE: f.cert,
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_PASSWORD: PASSWORD,
    });
    expect(message.split('\n')).toEqual([
      'invalid configuration:',
      `  KAFKA_SSL_CA_FILE: got "${f.ca}", expected KAFKA_SSL=true alongside it (TLS files are used over TLS only)`,
      `  KAFKA_SSL_CERT_FILE: got "${f.cert}", expected KAFKA_SSL=true alongside it (TLS files are used over TLS only)`,
      '  KAFKA_SSL_KEY_FILE: got "", expected the private key of KAFKA_SSL_CERT_FILE',
      '  KAFKA_SASL_USERNAME: got "", expected a user name for KAFKA_SASL_MECHANISM=scram-sha-256',
    ]);
    expect(refusal({ KAFKA_SASL_USERNAME: 'billing', KAFKA_SASL_PASSWORD: PASSWORD })).toBe(
      'invalid configuration:\n  KAFKA_SASL_MECHANISM: got "", expected plain, scram-sha-256 or scram-sha-512 since SASL credentials are set',
    );
    expect(refusal({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'billing' })).toBe(
      'invalid configuration:\n  KAFKA_SASL_PASSWORD: got (hidden), expected a password (or KAFKA_SASL_PASSWORD_FILE) for KAFKA_SASL_MECHANISM=plain',
    );
    expect(refusal({ KAFKA_SASL_MECHANISM: 'gssapi' })).toContain(
      'KAFKA_SASL_MECHANISM: got "gssapi", expected one of',
    );
  });

  it('refuses a CA file that is not PEM, and one that cannot be read, naming the variable', () => {
    const f = files();
    expect(refusal({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: f.jks })).toBe(
      `invalid configuration:\n  KAFKA_SSL_CA_FILE: "${f.jks}" holds no PEM certificate (expected a "-----BEGIN CERTIFICATE-----" block; convert a keystore with openssl)`,
    );
    expect(refusal({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: `${f.ca}.missing` })).toBe(
      `invalid configuration:\n  KAFKA_SSL_CA_FILE: cannot read "${f.ca}.missing" (ENOENT)`,
    );
    expect(
      refusal({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: '/nope' }),
    ).toBe('invalid configuration:\n  KAFKA_SASL_PASSWORD_FILE: cannot read "/nope" (ENOENT)');
  });

  it('gives the registry basic auth from a password file and a CA for https only', () => {
    const f = files();
    const config = loadConfig({
      SCHEMA_REGISTRY_URL: 'https://registry.internal/apis/ccompat/v7',
      SCHEMA_REGISTRY_USERNAME: 'api-key',
      SCHEMA_REGISTRY_PASSWORD_FILE: f.password,
      SCHEMA_REGISTRY_CA_FILE: f.ca,
    });
    expect(config.schemaRegistry).toEqual({
      url: 'https://registry.internal/apis/ccompat/v7',
      auth: { username: 'api-key', password: PASSWORD },
      ca: CA,
    });
    expect(
      refusal({ SCHEMA_REGISTRY_CA_FILE: f.ca, SCHEMA_REGISTRY_PASSWORD: PASSWORD }).split('\n'),
    ).toEqual([
      'invalid configuration:',
      '  SCHEMA_REGISTRY_USERNAME: got "", expected a user name alongside the registry password',
      `  SCHEMA_REGISTRY_CA_FILE: got "${f.ca}", expected an https SCHEMA_REGISTRY_URL alongside it (a CA is used over TLS only)`,
    ]);
  });

  it('takes PostgreSQL’s TLS from sslmode as libpq does, with DATABASE_CA_FILE', () => {
    const f = files();
    const url = 'postgres://sync:pw@db.internal:5432/sync';
    const tls = (env: Record<string, string>) => loadConfig(env).database.tls;
    expect(tls({ DATABASE_URL: `${url}?sslmode=prefer` })).toEqual({ mode: 'disable', ca: undefined });
    expect(tls({ DATABASE_URL: `${url}?sslmode=require` })).toEqual({ mode: 'require', ca: undefined });
    expect(tls({ DATABASE_URL: `${url}?sslmode=verify-full`, DATABASE_CA_FILE: f.ca })).toEqual({
      mode: 'verify-full',
      ca: CA,
    });
  });

  it('refuses an unknown sslmode without echoing the URL’s password, and a CA without TLS', () => {
    const f = files();
    expect(refusal({ DATABASE_URL: 'postgres://sync:s3cret@db/sync?sslmode=verify' })).toBe(
      'invalid configuration:\n  DATABASE_URL: got "postgres://sync:***@db/sync?sslmode=verify", expected sslmode to be one of disable, allow, prefer, require, verify-ca, verify-full',
    );
    expect(refusal({ DATABASE_CA_FILE: f.ca })).toBe(
      `invalid configuration:\n  DATABASE_CA_FILE: got "${f.ca}", expected a DATABASE_URL with sslmode=verify-full (or verify-ca, require) alongside it`,
    );
  });

  it('gives finance a CA for an https URL only', () => {
    const f = files();
    expect(
      loadConfig({ SKYAI_FINANCE_URL: 'https://finance.internal', FINANCE_CA_FILE: f.ca }).finance.ca,
    ).toBe(CA);
    expect(refusal({ FINANCE_CA_FILE: f.ca })).toBe(
      `invalid configuration:\n  FINANCE_CA_FILE: got "${f.ca}", expected an https SKYAI_FINANCE_URL alongside it (a CA is used over TLS only)`,
    );
  });
});
