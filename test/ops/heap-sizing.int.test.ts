import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { infraForTest, testEnv } from '../helpers/service.ts';

const CLI = fileURLToPath(new URL('../../bin/invoice-finance-sync.ts', import.meta.url));

interface Started {
  v8_heap_limit_mib: number;
  heap_sized_by: string;
  memory_limit_mib: number | 'none';
}

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Runs `start --only pusher` as an operator does and reads its `service started` line; stops it with SIGTERM. */
async function startedLine(
  extraEnv: Record<string, string>,
): Promise<{ line: Started; commandLine: string[] }> {
  const env = testEnv({ env: { LOG_LEVEL: 'info', ...extraEnv } });
  await infraForTest(env);
  const child = spawn(process.execPath, [CLI, 'start', '--only', 'pusher'], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const line = await eventually(
    () =>
      output
        .split('\n')
        .filter((text) => text.includes('"msg":"service started"'))
        .map((text) => JSON.parse(text) as Started)[0],
    { what: `the service started line in:\n${output}`, timeoutMs: 60_000 },
  );
  // What runs under the pid the operator holds, and the pid a signal reaches: it stops the service cleanly.
  const commandLine = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  expect(code, output).toBe(0);
  return { line, commandLine };
}

describe('the heap start gives itself', () => {
  it('without a memory limit or heap argument: SERVICE_HEAP_MIB, in place (same pid)', async () => {
    const { line, commandLine } = await startedLine({ SERVICE_HEAP_MIB: '160' });
    expect(line.memory_limit_mib).toBe('none');
    expect(line.heap_sized_by).toBe('SERVICE_HEAP_MIB');
    expect(commandLine).toContain('--max-old-space-size=160');
    // 160 MiB of old generation plus a young generation of a few MiB, not Node's gigabytes.
    expect(line.v8_heap_limit_mib).toBeGreaterThanOrEqual(160);
    expect(line.v8_heap_limit_mib).toBeLessThan(220);
  });

  it('SERVICE_HEAP_MIB=0 leaves Node sizing the heap from the host', async () => {
    const { line } = await startedLine({ SERVICE_HEAP_MIB: '0' });
    expect(line.heap_sized_by).toBe('host');
    expect(line.v8_heap_limit_mib).toBeGreaterThan(200);
  });

  it('an operator’s own heap argument wins', async () => {
    const { line } = await startedLine({ SERVICE_HEAP_MIB: '128', NODE_OPTIONS: '--max-old-space-size=300' });
    expect(line.heap_sized_by).toBe('node arguments');
    expect(line.v8_heap_limit_mib).toBeGreaterThanOrEqual(300);
  });
});
