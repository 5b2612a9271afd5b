import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { eventually } from '../../helpers/eventually.ts';

const PRODUCER = fileURLToPath(new URL('../../../tools/chaos/producer.ts', import.meta.url));

export interface ProducerOptions {
  brokers: string;
  registry: string;
  topic: string;
  run: string;
  count: number;
  first?: number;
  /** Invoices per second; 0 as fast as the broker takes them. */
  rate?: number;
  /** Publish the poison catalogue (tools/chaos/poison-catalogue.ts), one record after every k invoices. */
  poisonEvery?: number;
  /** The invoices' tenant (default the platform's own). */
  tenant?: string;
  logDir: string;
}

/**
 * The upstream as a separate process (tools/chaos/producer.ts). `published` follows its progress
 * lines; `done` resolves when all invoices are acknowledged and rejects if it fails.
 */
export function startProducer(options: ProducerOptions) {
  mkdirSync(options.logDir, { recursive: true });
  const log = createWriteStream(join(options.logDir, `producer-${options.first ?? 0}.log`));
  const args = [
    PRODUCER,
    ...['--brokers', options.brokers, '--registry', options.registry, '--topic', options.topic],
    ...['--run', options.run, '--count', String(options.count)],
    ...['--first', String(options.first ?? 0), '--rate', String(options.rate ?? 0)],
    ...['--poison-every', String(options.poisonEvery ?? 0)],
    ...(options.tenant ? ['--tenant', options.tenant] : []),
  ];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.pipe(log, { end: false });
  const state = { published: 0, finished: false, finishedAt: 0 };
  const done = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      log.write(`${line}\n`);
      const progress = JSON.parse(line) as { published?: number; done?: boolean };
      if (progress.published !== undefined) state.published = progress.published;
      if (progress.done) {
        state.finished = true;
        state.finishedAt = Date.now();
      }
    });
    child.once('exit', (code, signal) => {
      log.end();
      if (state.finished && code === 0) resolve();
      else
        reject(
          new Error(`producer ended with ${signal ?? `code ${code}`} after ${state.published} invoices`),
        );
    });
  });
  done.catch(() => undefined); // awaited by the scenario; a killed producer at the end is not an error
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    done,
    published: () => state.published,
    /** When the last invoice was acknowledged (epoch ms), 0 before. */
    finishedAt: () => state.finishedAt,
    /** Resolves once at least `n` invoices are out. */
    reached: (n: number, timeoutMs = 120_000) =>
      eventually(() => (state.published >= n ? true : undefined), {
        timeoutMs,
        intervalMs: 50,
        what: `producer to publish ${n} invoices (has ${state.published})`,
      }),
  };
}
