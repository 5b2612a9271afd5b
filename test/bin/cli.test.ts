import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../src/config/env-schema.ts';

const CLI = fileURLToPath(new URL('../../bin/invoice-finance-sync.ts', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The variable names of help's Environment section under each group heading, in order. */
function namesByGroup(section: string): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  let names: string[] = [];
  for (const line of section.split('\n')) {
    const heading = /^ {2}(\S.*)$/.exec(line)?.[1];
    const name = /^ {4}([A-Z][A-Z0-9_]+) \(/.exec(line)?.[1];
    if (heading !== undefined) groups[heading] = names = [];
    if (name !== undefined) names.push(name);
  }
  return groups;
}

// Each case starts the CLI as a process (node loading every module): slow on a busy 2-core machine.
describe('the invoice-finance-sync CLI', { timeout: 60_000 }, () => {
  it('lists every command in --help', () => {
    const { code, stdout } = cli(['--help']);
    expect(code).toBe(0);
    for (const command of ['start', 'migrate', 'schemas', 'ingest', 'replay', 'dlq', 'audit']) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('exits 64 (EX_USAGE) on an unknown command or option or a missing argument; 0 on help', () => {
    for (const args of [['bogus'], ['replay', '--from', 'x'], ['dlq', 'show']]) {
      const { code, stderr } = cli(args);
      expect(code, `${args.join(' ')}: ${stderr}`).toBe(64);
      expect(stderr).toMatch(/^error: /m);
    }
    expect(cli([]).code).toBe(64);
    expect(cli(['dlq', '--help']).code).toBe(0);
  });

  it('has --help for each command', () => {
    expect(cli(['start', '--help']).stdout).toContain('--only <role>');
    expect(cli(['ingest', '--help']).stdout).toContain('--invoice-id <id>');
    expect(cli(['replay', '--help']).stdout).toContain('--dry-run');
    expect(cli(['dlq', '--help']).stdout).toMatch(/redrive/);
    expect(cli(['audit', '--help']).stdout).toContain('--repair');
  });

  it('lists every variable in start --help, under its group, with its default and meaning', () => {
    const { code, stdout } = cli(['start', '--help']);
    expect(code).toBe(0);
    const section = stdout.slice(stdout.indexOf('\nEnvironment'));
    expect(section).toMatch(/^ {4}PUSHER_MAX_IN_FLIGHT \(default: 16\)$/m);
    expect(section).toMatch(/^ {4}FINANCE_JWT_SECRET \(unset by default\)$/m);
    const declared = Object.entries(ENV_VARS);
    expect(namesByGroup(section)).toEqual(
      Object.fromEntries(
        declared.map(([, { group }]) => [
          group,
          declared.filter(([, v]) => v.group === group).map(([n]) => n),
        ]),
      ),
    );
    const flat = section.replace(/\s+/g, ' ');
    for (const [name, variable] of declared) {
      const shown = variable.default === '' ? 'unset by default' : `default: ${variable.default}`;
      expect(flat, name).toContain(` ${name} (${shown}) ${variable.doc}`);
    }
    expect(cli(['--help']).stdout).toContain('`start --help` lists them');
  });

  it('refuses invalid configuration at start, naming the variable, before connecting to anything', () => {
    const { code, stderr } = cli(['start'], { PUSHER_MAX_IN_FLIGHT: '0', KAFKA_BROKERS: 'nowhere' });
    expect(code).toBe(78);
    expect(stderr).toBe(
      [
        'invoice-finance-sync: CONFIG_INVALID: invalid configuration:',
        '  KAFKA_BROKERS: got "nowhere", expected host:port',
        '  PUSHER_MAX_IN_FLIGHT: got "0", expected number to be >=1',
        '',
      ].join('\n'),
    );
  });

  it('refuses per-provider tax words that would throw on the first event, exit 78', () => {
    const { code, stderr } = cli(['start'], { TAX_WORDS_BY_PROVIDER: 'aws=sales tax' });
    expect(code).toBe(78);
    expect(stderr).toContain('TAX_WORDS_BY_PROVIDER: got "aws=sales tax", expected single words');
  });

  it('refuses a short secret without printing it', () => {
    const { code, stderr } = cli(['start'], { FINANCE_JWT_SECRET: 'hunter2' });
    expect(code).toBe(78);
    expect(stderr).toContain('FINANCE_JWT_SECRET: got a secret of 7 bytes, expected at least 32 bytes');
    expect(stderr).not.toContain('hunter2');
  });

  it('answers hostile arguments with one usage line naming what it expected and exit 64, never a stack trace', () => {
    const hostile = [
      ['dlq', 'show', '1:-5'],
      ['dlq', 'show', '١:٢'],
      ['dlq', 'list', '--limit', '1e3'],
      ['replay', '--from-offset', '99999999999999999999999', '--dry-run'],
      ['replay', '--partition', ',', '--dry-run'],
      ['dlq', 'redrive', '--offset', `0:${'9'.repeat(400)}`],
    ];
    for (const args of hostile) {
      const { code, stderr } = cli(args);
      expect(code, args.join(' ')).toBe(64);
      expect(stderr.split('\n')[0], args.join(' ')).toMatch(/^error: .* is invalid[.\w ']*\. expected \S/);
      expect(stderr, args.join(' ')).not.toMatch(/^\s+at /m);
    }
  });
});
