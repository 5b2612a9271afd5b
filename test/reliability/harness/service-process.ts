import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../bin/invoice-finance-sync.ts', import.meta.url));

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcessOptions {
  /** Shown in log file names and readiness samples, e.g. `a#3` (instance a, third start). */
  name: string;
  env: Record<string, string>;
  only?: 'pusher' | 'recorder';
  /** Where its stdout and stderr go (`<name>.log`), to read after a failed run. */
  logDir: string;
}

/**
 * One `invoice-finance-sync start` process, as an operator runs it: a real child process of the
 * CLI with the environment only (none of the test process's variables leak in, so defaults are the
 * shipped defaults). Its ops URL is read from its "service started" log line.
 */
export class ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly startedAt = Date.now();
  readonly exited: Promise<ExitInfo>;
  /** Set once the ops server listens (before the consumers have joined their groups). */
  opsUrl: string | undefined;
  /** Whether the "service started" line was seen: every consumer joined its group. */
  hasStarted = false;
  #exit: ExitInfo | undefined;
  readonly #child: ChildProcess;
  readonly #started: Promise<string>;

  constructor(options: ServiceProcessOptions) {
    this.name = options.name;
    mkdirSync(options.logDir, { recursive: true });
    const log = createWriteStream(join(options.logDir, `${options.name.replace('#', '-')}.log`));
    const args = [CLI, 'start', ...(options.only ? ['--only', options.only] : [])];
    this.#child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.#child.pid === undefined) throw new Error(`could not start ${options.name}`);
    this.pid = this.#child.pid;
    this.#child.stderr?.pipe(log, { end: false });
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        log.end();
        resolve(this.#exit);
      });
    });
    this.#started = new Promise((resolve, reject) => {
      const lines = createInterface({ input: this.#child.stdout! });
      lines.on('line', (line) => {
        log.write(`${line}\n`);
        // The ops server listens before the consumers join; the service has started once they have.
        if (this.opsUrl === undefined && line.includes('"msg":"ops server listening"')) {
          this.opsUrl = (JSON.parse(line) as { ops_url: string }).ops_url;
        }
        if (line.includes('"msg":"service started"')) {
          this.opsUrl ??= (JSON.parse(line) as { ops_url: string }).ops_url;
          this.hasStarted = true;
          resolve(this.opsUrl);
        }
      });
      this.exited.then((exit) =>
        reject(new Error(`${this.name} exited before it started: ${exitText(exit)}`)),
      );
    });
    this.#started.catch(() => undefined); // a process killed while starting is a normal event here
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Resolves with the ops URL once the service started; rejects if it exits first. */
  started(): Promise<string> {
    return this.#started;
  }

  /** Sends `signal` and waits until the process is gone. SIGKILL leaves it no chance to clean up. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> {
    if (this.running) process.kill(this.pid, signal);
    return this.exited;
  }
}

export function exitText(exit: ExitInfo): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}
