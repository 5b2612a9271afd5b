import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../../src/config/env-schema.ts';
import {
  exportLines,
  maintenanceUrl,
  SERVICE_DATABASE,
  shellQuoted,
  stackVariables,
} from '../../../tools/stack/stack-env.ts';

const JVM_LOCAL = {
  kafkaBrokers: '127.0.0.1:9092',
  schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
};
const DOCKER = {
  kafkaBrokers: '127.0.0.1:9092',
  schemaRegistryUrl: 'http://127.0.0.1:8081',
  databaseUrl: 'postgres://postgres:postgres@127.0.0.1:5433/postgres',
};

describe('the export lines of npm run stack -- up|status|env', () => {
  it('names the JVM stack with the local PostgreSQL, the service using its own database there', () => {
    expect(exportLines(JVM_LOCAL)).toEqual([
      'export KAFKA_BROKERS=127.0.0.1:9092',
      'export SCHEMA_REGISTRY_URL=http://127.0.0.1:8081/apis/ccompat/v7',
      'export DATABASE_URL=postgres://postgres@127.0.0.1:5432/invoice_finance_sync',
    ]);
  });

  it('names the Docker stack’s PostgreSQL on 5433 with its password', () => {
    expect(exportLines(DOCKER)).toEqual([
      'export KAFKA_BROKERS=127.0.0.1:9092',
      'export SCHEMA_REGISTRY_URL=http://127.0.0.1:8081',
      'export DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5433/invoice_finance_sync',
    ]);
  });

  it('keeps query options of the database URL', () => {
    const withSsl = { ...JVM_LOCAL, databaseUrl: 'postgres://u@db.example:5432/postgres?sslmode=require' };
    expect(stackVariables(withSsl).DATABASE_URL).toBe(
      'postgres://u@db.example:5432/invoice_finance_sync?sslmode=require',
    );
  });

  it('uses the database of DATABASE_URL’s default, so the exported URL is what the service would use there', () => {
    const defaultUrl = ENV_VARS.DATABASE_URL.default;
    expect(new URL(String(defaultUrl)).pathname).toBe(`/${SERVICE_DATABASE}`);
  });

  it('quotes values a shell would split or expand, and a sh eval gives back the exact values', () => {
    const odd = { ...JVM_LOCAL, databaseUrl: "postgres://u:p'a$s&w@127.0.0.1:5432/postgres" };
    expect(shellQuoted("p'a$s")).toBe(`'p'\\''a$s'`);
    const script = `${exportLines(odd).join('\n')}\nprintf '%s\\n' "$KAFKA_BROKERS" "$SCHEMA_REGISTRY_URL" "$DATABASE_URL"`;
    const printed = execFileSync('sh', ['-c', `eval "$(cat)"`], { input: script, encoding: 'utf8' });
    expect(printed.trimEnd().split('\n')).toEqual(Object.values(stackVariables(odd)));
  });

  it('turns any database URL into the server’s maintenance database', () => {
    expect(maintenanceUrl('postgres://postgres@127.0.0.1:5432/invoice_finance_sync')).toBe(
      'postgres://postgres@127.0.0.1:5432/postgres',
    );
  });
});
