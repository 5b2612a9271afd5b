// The processes a benchmark starts (the service, the finance stand-in, a publisher), ended with it when it
// is interrupted: killed with SIGTERM, SIGINT or SIGHUP, a benchmark would otherwise leave them running,
// still consuming or answering, and they would skew the next run's figures.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
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
