import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import {
  FinanceServerConfigError,
  readFinanceServerConfig,
} from '../../../tools/finance-server/finance-server-config.ts';
import { callJson, digitalOceanApril2026, postImport, TEST_SECRET } from './finance-test-kit.ts';

const MAIN = join(import.meta.dirname, '../../../tools/finance-server/main.ts');

describe('readFinanceServerConfig', () => {
  it('defaults to port 4010 on 127.0.0.1', () => {
    const config = readFinanceServerConfig({ FINANCE_JWT_SECRET: TEST_SECRET });
    expect(config).toMatchObject({ port: 4010, host: '127.0.0.1', issuer: undefined, algorithms: undefined });
    expect(Buffer.from(config.secret).toString()).toBe(TEST_SECRET);
  });

  it('reads the secret file without its trailing newline', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'finance-secret-')), 'secret');
    writeFileSync(file, `${TEST_SECRET}\n`);
    const config = readFinanceServerConfig({
      FINANCE_JWT_SECRET_FILE: file,
      FINANCE_JWT_ALGORITHMS: 'HS512, HS256',
    });
    expect(Buffer.from(config.secret).toString()).toBe(TEST_SECRET);
    expect(config.algorithms).toEqual(['HS512', 'HS256']);
  });

  it.each([
    [{}, 'FINANCE_JWT_SECRET or FINANCE_JWT_SECRET_FILE is required'],
    [
      { FINANCE_JWT_SECRET: 'short' },
      'the JWT secret from FINANCE_JWT_SECRET is 5 bytes; at least 32 are required',
    ],
    [
      { FINANCE_JWT_SECRET: TEST_SECRET, FINANCE_JWT_SECRET_FILE: '/x' },
      'set FINANCE_JWT_SECRET or FINANCE_JWT_SECRET_FILE, not both',
    ],
    [
      { FINANCE_JWT_SECRET_FILE: '/nonexistent/secret' },
      'FINANCE_JWT_SECRET_FILE /nonexistent/secret cannot be read (ENOENT)',
    ],
    [
      { FINANCE_JWT_SECRET: TEST_SECRET, FINANCE_SERVER_PORT: 'http' },
      'FINANCE_SERVER_PORT must be an integer 0..65535, got "http"',
    ],
  ])('refuses %j', (env, message) => {
    expect(() => readFinanceServerConfig(env)).toThrow(new FinanceServerConfigError(message));
  });
});

function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return { child, nextLogLine: async () => JSON.parse((await lines.next()).value as string) };
}

describe('main.ts', () => {
  it('exits 1 with a clear message when the secret is too short, never printing it', async () => {
    const { child, nextLogLine } = runMain({ FINANCE_JWT_SECRET: 'too-short-secret' });
    const line = await nextLogLine();
    const [exitCode] = await once(child, 'exit');

    expect(exitCode).toBe(1);
    expect(line.msg).toBe(
      'finance server not started: the JWT secret from FINANCE_JWT_SECRET is 16 bytes; at least 32 are required',
    );
    expect(JSON.stringify(line)).not.toContain('too-short-secret');
  });

  it('logs its URL once listening, imports, and stops on SIGTERM', async () => {
    const { child, nextLogLine } = runMain({ FINANCE_JWT_SECRET: TEST_SECRET, FINANCE_SERVER_PORT: '0' });
    const started = await nextLogLine();
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.stringify(started)).not.toContain(TEST_SECRET);

    expect((await postImport(started.url, digitalOceanApril2026())).status).toBe(201);
    expect((await callJson(`${started.url}/_admin/invoices`)).body).toMatchObject({
      data: [{ source: 'digitalocean' }],
    });

    child.kill('SIGTERM');
    const [exitCode] = await once(child, 'exit');
    expect(exitCode).toBe(0);
  });
});
