// How every benchmark starts and ends: a header that says what was measured where (command, machine,
// load, commit, date), Markdown tables for BENCHMARKS.md, and a failing prerequisite told in one line.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { isSyncError } from '../src/failures/errors.ts';
import { quietKnownLibraryWarnings } from '../src/ops/process-warnings.ts';
import { endChildrenOnSignals } from './children.ts';

/** A benchmark failure whose message says it all: printed without a stack. */
export class BenchError extends Error {
  override name = 'BenchError';
}

export function machineLine(): string {
  return `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** The 1-minute load average: others' work on the same cores bends every figure. */
export function loadLine(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`;
}

function commitLine(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no', 'src', 'bench') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' (with uncommitted changes)' : ''}`;
  } catch {
    return 'commit unknown (not a git checkout)';
  }
}

/** The lines every result starts with. */
export function header(title: string, command: string): void {
  console.log(`\n### ${title}\n`);
  console.log(`\`${command}\` · ${machineLine()} · ${commitLine()} · ${new Date().toISOString()}\n`);
}

export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

export function table(columns: string[], rows: (string | number)[][]): void {
  console.log(`| ${columns.join(' | ')} |`);
  console.log(`|${columns.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/**
 * Runs a benchmark's main and exits. A failure prints one line naming what failed (a missing stack
 * component, a port, a timeout), not a stack trace; BENCH_DEBUG=1 shows the stack.
 */
export function runBench(name: string, main: () => Promise<void>): void {
  quietKnownLibraryWarnings();
  endChildrenOnSignals();
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      const message = isSyncError(error)
        ? `${error.code}: ${error.message}`
        : String((error as Error)?.message ?? error);
      process.stderr.write(`${name}: ${message.split('\n')[0]}\n`);
      if (process.env.BENCH_DEBUG) console.error(error);
      process.exit(1);
    },
  );
}
