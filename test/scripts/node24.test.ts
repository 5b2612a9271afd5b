import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('scripts/node24.sh', () => {
  it('runs a command on Node 24', () => {
    const major = execFileSync(
      'sh',
      ['scripts/node24.sh', 'node', '-p', 'process.versions.node.split(".")[0]'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(Number(major.trim())).toBeGreaterThanOrEqual(24);
  });

  it('sourced, puts Node 24 on PATH and leaves the shell’s options alone (a failing command does not end it)', () => {
    const out = execFileSync(
      'bash',
      [
        '-c',
        '. scripts/node24.sh; set -o | grep errexit; false; node -p "process.versions.node.split(\\".\\")[0]"',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const [errexit, major] = out.trim().split('\n');
    expect(errexit).toMatch(/errexit\s+off/);
    expect(Number(major)).toBeGreaterThanOrEqual(24);
  });
});
