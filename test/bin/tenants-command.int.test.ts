import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TenantPauses } from '../../src/push/tenant-pauses.ts';
import { infraForTest, testEnv } from '../helpers/service.ts';

const CLI = fileURLToPath(new URL('../../bin/invoice-finance-sync.ts', import.meta.url));

function cli(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tenants pause | resume | list', () => {
  it('pauses a tenant for every instance (kept in the database), lists it, and resumes it', async () => {
    const env = testEnv();
    const infra = await infraForTest(env);
    const paused = cli(['tenants', 'pause', 'acme', '--reason', 'month-end close'], env);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toBe('paused acme: its events wait, in order, until it is resumed\n');
    expect(cli(['tenants', 'pause', 'acme'], env).stdout).toBe('acme was paused already\n');
    expect(await new TenantPauses(infra.database.orm).list()).toEqual([
      { tenant_id: 'acme', paused_at: expect.any(String), paused_by: 'cli', reason: 'month-end close' },
    ]);
    const listed = JSON.parse(cli(['tenants', 'list', '--json'], env).stdout);
    expect(listed).toEqual([expect.objectContaining({ tenant_id: 'acme', reason: 'month-end close' })]);
    expect(cli(['tenants', 'list'], env).stdout).toMatch(/^acme\tpaused \S+ by cli: month-end close\n$/);
    expect(cli(['tenants', 'resume', 'acme'], env).stdout).toBe(
      'resumed acme: its waiting events go on, in order\n',
    );
    expect(cli(['tenants', 'resume', 'acme'], env).stdout).toBe('acme was not paused\n');
    expect(cli(['tenants', 'list'], env).stdout).toBe('no tenant is paused\n');
  });

  it('refuses a tenant id that is not one, in one usage line, touching nothing', () => {
    const result = cli(['tenants', 'pause', 'acme:aws'], testEnv());
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'expected a tenant id (1-64 characters of A-Z a-z 0-9 . _ -), got "acme:aws"',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
