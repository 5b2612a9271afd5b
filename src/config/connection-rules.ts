import type { z } from 'zod';

/**
 * Cross-field rules of the connection security variables (TLS, SASL, basic auth). Each catches a
 * half-done configuration that would otherwise connect without the protection the operator asked
 * for, or fail later with a library's message instead of the variable's name.
 */
export interface ConnectionEnv {
  KAFKA_SSL: boolean;
  KAFKA_SSL_CA_FILE: string;
  KAFKA_SSL_CERT_FILE: string;
  KAFKA_SSL_KEY_FILE: string;
  KAFKA_SASL_MECHANISM: string;
  KAFKA_SASL_USERNAME: string;
  KAFKA_SASL_PASSWORD: string;
  KAFKA_SASL_PASSWORD_FILE: string;
  SCHEMA_REGISTRY_URL: string;
  SCHEMA_REGISTRY_USERNAME: string;
  SCHEMA_REGISTRY_PASSWORD: string;
  SCHEMA_REGISTRY_PASSWORD_FILE: string;
  SCHEMA_REGISTRY_CA_FILE: string;
  DATABASE_URL: string;
  DATABASE_CA_FILE: string;
  SKYAI_FINANCE_URL: string;
  FINANCE_CA_FILE: string;
}

/** libpq's `sslmode` values. pg cannot fall back, so `allow` and `prefer` connect without TLS. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];
const TLS_SSL_MODES: readonly string[] = ['require', 'verify-ca', 'verify-full'];

/** The `sslmode` query parameter of a PostgreSQL URL, if any (none for a URL DATABASE_URL's own check refuses). */
export function sslModeOf(databaseUrl: string): string | undefined {
  if (!URL.canParse(databaseUrl)) return undefined;
  return new URL(databaseUrl).searchParams.get('sslmode') ?? undefined;
}

type Issue = [variable: keyof ConnectionEnv, expected: string];

function kafkaIssues(env: ConnectionEnv): Issue[] {
  const issues: Issue[] = [];
  for (const name of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const) {
    if (env[name] && !env.KAFKA_SSL)
      issues.push([name, 'KAFKA_SSL=true alongside it (TLS files are used over TLS only)']);
  }
  if (env.KAFKA_SSL_CERT_FILE && !env.KAFKA_SSL_KEY_FILE) {
    issues.push(['KAFKA_SSL_KEY_FILE', 'the private key of KAFKA_SSL_CERT_FILE']);
  }
  if (env.KAFKA_SSL_KEY_FILE && !env.KAFKA_SSL_CERT_FILE) {
    issues.push(['KAFKA_SSL_CERT_FILE', 'the client certificate of KAFKA_SSL_KEY_FILE']);
  }
  const password = env.KAFKA_SASL_PASSWORD || env.KAFKA_SASL_PASSWORD_FILE;
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (mechanism && !env.KAFKA_SASL_USERNAME) {
    issues.push(['KAFKA_SASL_USERNAME', `a user name for KAFKA_SASL_MECHANISM=${mechanism}`]);
  }
  if (mechanism && !password) {
    issues.push([
      'KAFKA_SASL_PASSWORD',
      `a password (or KAFKA_SASL_PASSWORD_FILE) for KAFKA_SASL_MECHANISM=${mechanism}`,
    ]);
  }
  if (!mechanism && (env.KAFKA_SASL_USERNAME || password)) {
    issues.push([
      'KAFKA_SASL_MECHANISM',
      'plain, scram-sha-256 or scram-sha-512 since SASL credentials are set',
    ]);
  }
  return issues;
}

function registryIssues(env: ConnectionEnv): Issue[] {
  const issues: Issue[] = [];
  const password = env.SCHEMA_REGISTRY_PASSWORD || env.SCHEMA_REGISTRY_PASSWORD_FILE;
  if (password && !env.SCHEMA_REGISTRY_USERNAME) {
    issues.push(['SCHEMA_REGISTRY_USERNAME', 'a user name alongside the registry password']);
  }
  if (env.SCHEMA_REGISTRY_USERNAME && !password) {
    issues.push([
      'SCHEMA_REGISTRY_PASSWORD',
      'a password (or SCHEMA_REGISTRY_PASSWORD_FILE) for SCHEMA_REGISTRY_USERNAME',
    ]);
  }
  if (env.SCHEMA_REGISTRY_CA_FILE && !env.SCHEMA_REGISTRY_URL.startsWith('https:')) {
    issues.push([
      'SCHEMA_REGISTRY_CA_FILE',
      'an https SCHEMA_REGISTRY_URL alongside it (a CA is used over TLS only)',
    ]);
  }
  return issues;
}

function databaseAndFinanceIssues(env: ConnectionEnv): Issue[] {
  const issues: Issue[] = [];
  const mode = sslModeOf(env.DATABASE_URL);
  if (mode !== undefined && !(SSL_MODES as readonly string[]).includes(mode)) {
    issues.push(['DATABASE_URL', `sslmode to be one of ${SSL_MODES.join(', ')}`]);
  }
  if (env.DATABASE_CA_FILE && !TLS_SSL_MODES.includes(mode ?? '')) {
    issues.push([
      'DATABASE_CA_FILE',
      'a DATABASE_URL with sslmode=verify-full (or verify-ca, require) alongside it',
    ]);
  }
  if (env.FINANCE_CA_FILE && !env.SKYAI_FINANCE_URL.startsWith('https:')) {
    issues.push(['FINANCE_CA_FILE', 'an https SKYAI_FINANCE_URL alongside it (a CA is used over TLS only)']);
  }
  return issues;
}

export function checkConnectionSecurity(env: ConnectionEnv, ctx: z.RefinementCtx): void {
  for (const [variable, expected] of [
    ...kafkaIssues(env),
    ...registryIssues(env),
    ...databaseAndFinanceIssues(env),
  ]) {
    ctx.addIssue({ code: 'custom', path: [variable], message: expected });
  }
}
