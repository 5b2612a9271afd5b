import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { renderEnvExample, renderEnvTable } from '../../src/config/env-docs.ts';
import { ENV_VARS } from '../../src/config/env-schema.ts';

const SECRET = 'x'.repeat(40);

function messageOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('loads the documented defaults, frozen, with pushing disabled and the reason given', () => {
    const config = loadConfig({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.topics).toEqual({
      linesIngested: 'invoice.lines_ingested',
      pushedToFinance: 'invoice.pushed_to_finance',
      deadLetter: 'invoice.lines_ingested.dlq',
      recorderDeadLetter: 'invoice.pushed_to_finance.dlq',
    });
    expect(config.finance.baseUrl).toBe('http://localhost:4010');
    expect(config.finance.jwt).toEqual({
      algorithm: 'HS512',
      issuer: 'skyai_finance',
      audience: 'skyai_finance',
      ttlSeconds: 60,
    });
    expect(config.finance.identity).toEqual({ mode: 'fixed', tenantId: 'platform-admin', roles: ['admin'] });
    expect(config.finance.pushDeadlineMs).toBe(45_000);
    expect(config.kafka.rebalanceTimeoutMs).toBe(60_000);
    expect([config.pusher.maxAttempts, config.recorder.maxAttempts]).toEqual([5, 5]);
    expect(config.finance.secret).toBeUndefined();
    expect(config.finance.disabledReason).toMatch(/set FINANCE_JWT_SECRET or FINANCE_JWT_SECRET_FILE/);
    expect(Object.isFrozen(config) && Object.isFrozen(config.finance.jwt)).toBe(true);
  });

  it('names the variable, what it got and what it expects', () => {
    expect(messageOf({ PUSHER_MAX_IN_FLIGHT: 'many', LOG_LEVEL: 'loud', SKYAI_FINANCE_URL: 'finance' })).toBe(
      [
        'invalid configuration:',
        '  PUSHER_MAX_IN_FLIGHT: got "many", expected number, received NaN',
        '  SKYAI_FINANCE_URL: got "finance", expected an http(s) URL',
        '  LOG_LEVEL: got "loud", expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"',
      ].join('\n'),
    );
  });

  it('refuses a token lifetime above 300 s and a heartbeat too close to the session timeout', () => {
    expect(messageOf({ FINANCE_JWT_TTL_SECONDS: '301' })).toContain(
      'FINANCE_JWT_TTL_SECONDS: got "301", expected number to be <=300',
    );
    expect(messageOf({ KAFKA_SESSION_TIMEOUT_MS: '9000', KAFKA_HEARTBEAT_INTERVAL_MS: '4000' })).toContain(
      'KAFKA_HEARTBEAT_INTERVAL_MS: got "4000", expected at most a third of KAFKA_SESSION_TIMEOUT_MS (9000)',
    );
  });

  it('refuses a secret shorter than 32 bytes without showing it', () => {
    const message = messageOf({ FINANCE_JWT_SECRET: 'short-secret' });
    expect(message).toBe(
      'invalid configuration:\n  FINANCE_JWT_SECRET: got a secret of 12 bytes, expected at least 32 bytes',
    );
    expect(message).not.toContain('short-secret');
  });

  it('reads the secret from FINANCE_JWT_SECRET_FILE before FINANCE_JWT_SECRET', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ifs-secret-'));
    const file = join(dir, 'secret');
    writeFileSync(file, `${SECRET}\n`);
    const config = loadConfig({ FINANCE_JWT_SECRET_FILE: file, FINANCE_JWT_SECRET: 'y'.repeat(40) });
    expect(new TextDecoder().decode(config.finance.secret)).toBe(SECRET);
    expect(messageOf({ FINANCE_JWT_SECRET_FILE: join(dir, 'missing') })).toContain(
      'FINANCE_JWT_SECRET_FILE: cannot read',
    );
  });

  it('reads the console token from OPS_CONSOLE_TOKEN_FILE before OPS_CONSOLE_TOKEN', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ifs-console-token-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'console-token-from-a-file\n');
    const config = loadConfig({ OPS_CONSOLE_TOKEN_FILE: file, OPS_CONSOLE_TOKEN: 'z'.repeat(20) });
    expect(config.console.token).toBe('console-token-from-a-file');
    expect(loadConfig({}).console.token).toBeUndefined();
    writeFileSync(file, 'short\n');
    expect(messageOf({ OPS_CONSOLE_TOKEN_FILE: file })).toBe(
      'invalid configuration:\n  OPS_CONSOLE_TOKEN_FILE: got a token of 5 characters, expected at least 16 (unset: the console is off)',
    );
    expect(messageOf({ OPS_CONSOLE_TOKEN_FILE: join(dir, 'missing') })).toContain(
      'OPS_CONSOLE_TOKEN_FILE: cannot read',
    );
    expect(messageOf({ OPS_CONSOLE_TOKEN: 'short' })).toContain('OPS_CONSOLE_TOKEN: got');
  });

  it('parses per-provider tax words, with TAX_WORDS for every other provider', () => {
    const config = loadConfig({ TAX_WORDS: 'GST,Tax', TAX_WORDS_BY_PROVIDER: 'aws=tax,vat;gcp=tax' });
    expect(config.taxWords).toEqual({ '*': ['gst', 'tax'], aws: ['tax', 'vat'], gcp: ['tax'] });
    expect(messageOf({ TAX_WORDS_BY_PROVIDER: 'aws' })).toContain('expected "provider=word,word;..."');
  });

  it('refuses per-provider tax words that are not single words, which could never match', () => {
    expect(messageOf({ TAX_WORDS_BY_PROVIDER: 'aws=sales tax' })).toBe(
      'invalid configuration:\n  TAX_WORDS_BY_PROVIDER: got "aws=sales tax", expected single words of letters or digits, but "sales tax" (for aws) is not one',
    );
  });

  it('keeps one push, retries included, inside the rebalance timeout', () => {
    expect(messageOf({ FINANCE_PUSH_DEADLINE_MS: '60000' })).toContain(
      'FINANCE_PUSH_DEADLINE_MS: got "60000", expected below KAFKA_REBALANCE_TIMEOUT_MS (60000)',
    );
    expect(messageOf({ KAFKA_REBALANCE_TIMEOUT_MS: '20000', KAFKA_SESSION_TIMEOUT_MS: '30000' })).toContain(
      'KAFKA_REBALANCE_TIMEOUT_MS: got "20000", expected at least KAFKA_SESSION_TIMEOUT_MS (30000)',
    );
  });

  it('takes the token identity from the configuration or from each event', () => {
    expect(loadConfig({ FINANCE_IDENTITY: 'event-tenant' }).finance.identity.mode).toBe('event-tenant');
    expect(messageOf({ FINANCE_IDENTITY: 'tenant' })).toContain('FINANCE_IDENTITY: got "tenant"');
  });

  it.each(['platform:admin', 'platform admin', 'platform-admin\n', 't'.repeat(65)])(
    'refuses FINANCE_TENANT_ID %j, which breaks the tenant rule of events, naming it',
    (tenant) => {
      expect(messageOf({ FINANCE_TENANT_ID: tenant })).toBe(
        `invalid configuration:\n  FINANCE_TENANT_ID: got ${JSON.stringify(tenant)}, expected 1-64 characters of A-Z a-z 0-9 . _ -`,
      );
    },
  );

  it('bounds events at 8 MiB and 50,000 lines unless told otherwise', () => {
    expect(loadConfig({}).events).toEqual({ maxBytes: 8_388_608, maxLines: 50_000 });
    expect(loadConfig({ EVENT_MAX_BYTES: '65536', EVENT_MAX_LINES: '10' }).events).toEqual({
      maxBytes: 65_536,
      maxLines: 10,
    });
    expect(messageOf({ EVENT_MAX_LINES: '0' })).toContain(
      'EVENT_MAX_LINES: got "0", expected number to be >=1',
    );
  });

  it('documents every variable in .env.example and README.md', () => {
    expect(readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')).toBe(renderEnvExample());
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(renderEnvTable());
    expect(Object.keys(ENV_VARS).length).toBeGreaterThan(30);
  });
});
