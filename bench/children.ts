// The processes a benchmark starts (the service, the finance stand-in, a publisher), ended with it when it
// is interrupted: killed with SIGTERM, SIGINT or SIGHUP, a benchmark would otherwise leave them running,
// still consuming or answering, and they would skew the next run's figures.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { constants } from 'node:os';

const running = new Set<ChildProcess>();

/** `spawn`, with the child ended with the benchmark if it is interrupted (see `endChildrenOnSignals`). */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** On SIGTERM, SIGINT or SIGHUP: SIGTERM to every child still running, then exit as that signal would. */
export function endChildrenOnSignals(): void {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const child of running) child.kill('SIGTERM');
      process.exit(128 + constants.signals[signal]);
    });
  }
}

let stdoutFile: number | undefined;

/**
 * Where a benchmark's service prints: BENCH_SERVICE_STDOUT=<file> keeps it (e.g. V8's --trace-gc lines) for
 * the notes, every run of the benchmark in the one file; otherwise nowhere.
 */
export function serviceStdout(): 'ignore' | number {
  const file = process.env.BENCH_SERVICE_STDOUT;
  if (!file) return 'ignore';
  stdoutFile ??= openSync(file, 'w');
  return stdoutFile;
}
