// Small process helpers for the detached JVMs of the local stack: pid files,
// liveness, detached spawn with output to a log file, graceful stop.

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function readPid(pidFile: string): number | null {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function writePid(pidFile: string, pid: number): void {
  writeFileSync(pidFile, `${pid}\n`);
}

export function removePid(pidFile: string): void {
  rmSync(pidFile, { force: true });
}

/**
 * True when `pid` is alive and, where /proc exists, its command line contains
 * `marker` (every JVM we start carries a -D marker), so that a pid recycled by
 * an unrelated process after a reboot is never taken for ours, nor killed.
 */
export function isOurs(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone; EPERM: alive but not ours to signal, so certainly not a JVM we started.
    return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return true; // no procfs (macOS): trust the pid file
  try {
    return readFileSync(cmdline, 'utf8').includes(marker);
  } catch {
    return false; // exited in between
  }
}

/**
 * Starts a process that outlives us: its own process group (detached), stdout
 * and stderr appended to `logFile`, not keeping our event loop alive (unref).
 * The returned ChildProcess still emits 'exit' while we are around, which lets
 * the readiness wait fail fast when the JVM dies at startup.
 */
export function spawnDetached(
  cmd: string,
  args: string[],
  opts: { cwd: string; logFile: string },
): ChildProcess {
  const fd = openSync(opts.logFile, 'w'); // fresh log per start: its tail is this run's story
  writeFileSync(fd, `# ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
  try {
    const child = spawn(cmd, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    // A failed spawn (ENOENT, EACCES) leaves child.pid undefined, which callers
    // check; without a listener its 'error' event would crash the process.
    child.once('error', () => {});
    return child;
  } finally {
    closeSync(fd); // the child has its own copy
  }
}

/**
 * Runs fn while holding an exclusive lock file (created with O_EXCL, holding
 * our pid), so that two `stack up` (a terminal and a test run, say) never start
 * two copies of a JVM. A lock whose holder is dead is taken over.
 */
export async function withLock<T>(lockFile: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readPid(lockFile);
    if (holder !== null && !isAlive(holder)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`another \`stack up\` (pid ${holder}) still holds ${lockFile}`);
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM, wait up to graceMs, then SIGKILL. Resolves to what it had to do. */
export async function stopProcess(
  pid: number,
  marker: string,
  graceMs: number,
): Promise<'stopped' | 'killed' | 'not running'> {
  if (!isOurs(pid, marker)) return 'not running';
  process.kill(pid, 'SIGTERM');
  for (const deadline = Date.now() + graceMs; Date.now() < deadline; await sleep(200)) {
    if (!isOurs(pid, marker)) return 'stopped';
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  for (const deadline = Date.now() + 5000; Date.now() < deadline && isOurs(pid, marker); await sleep(100));
  return 'killed';
}

/**
 * Last `lines` lines of a log file, for error messages, without Java stack
 * frames ("\tat ...", "... 12 more"), so the exception messages themselves show.
 */
export function tailFile(file: string, lines: number): string {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return all
      .filter((l) => !/^\s+(at |\.\.\. \d+ more)/.test(l))
      .slice(-lines)
      .join('\n');
  } catch {
    return '(no log file)';
  }
}
