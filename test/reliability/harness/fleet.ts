import { onTestFinished } from 'vitest';
import { within } from '../../helpers/eventually.ts';
import { type ExitInfo, exitText, ServiceProcess } from './service-process.ts';

export interface FleetOptions {
  env: Record<string, string>;
  logDir: string;
  only?: 'pusher' | 'recorder';
}

/** A start joins two consumer groups: seconds, or a session timeout or two behind a killed member. */
export const START_TIMEOUT_MS = 90_000;
/** Beyond the shipped SHUTDOWN_TIMEOUT_MS (30 s), after which a process exits by itself. */
export const EXIT_TIMEOUT_MS = 45_000;

/**
 * Named service instances (`a`, `b`, …), each a CLI process that can be killed and started again
 * under the same name. Tells apart the exits the scenario caused from a process dying on its own,
 * which is always a finding. Every process still running is SIGKILLed when the test ends.
 */
export class Fleet {
  readonly #options: FleetOptions;
  readonly #current = new Map<string, ServiceProcess>();
  readonly #generation = new Map<string, number>();
  readonly #all: ServiceProcess[] = [];
  readonly #killedByUs = new Set<ServiceProcess>();

  constructor(options: FleetOptions) {
    this.#options = options;
    onTestFinished(() => this.killAll());
  }

  /**
   * Starts instance `name` (again); resolves once it has started (its consumers joined), and fails
   * naming it when that takes longer than `timeoutMs`.
   */
  async start(name: string, timeoutMs = START_TIMEOUT_MS): Promise<ServiceProcess> {
    const service = this.launch(name);
    await within(service.started(), timeoutMs, `${service.name} to start`);
    return service;
  }

  /** Starts instance `name` (again) without waiting: it may be killed while still starting. */
  launch(name: string): ServiceProcess {
    const generation = (this.#generation.get(name) ?? 0) + 1;
    this.#generation.set(name, generation);
    const service = new ServiceProcess({ ...this.#options, name: `${name}#${generation}` });
    this.#current.set(name, service);
    this.#all.push(service);
    return service;
  }

  /** Signals the current process of `name` and waits until it is gone (failing after `timeoutMs`). */
  async kill(
    name: string,
    signal: NodeJS.Signals = 'SIGKILL',
    timeoutMs = EXIT_TIMEOUT_MS,
  ): Promise<ExitInfo | undefined> {
    const service = this.#current.get(name);
    if (!service?.running) return undefined;
    this.#killedByUs.add(service);
    return within(service.kill(signal), timeoutMs, `${service.name} to exit after ${signal}`);
  }

  names(): string[] {
    return [...this.#current.keys()];
  }

  current(name: string): ServiceProcess | undefined {
    return this.#current.get(name);
  }

  /** Processes running now, with the name of their instance. */
  live(): ServiceProcess[] {
    return [...this.#current.values()].filter((service) => service.running);
  }

  /** Processes that exited although nobody signalled them: crashes, or a start that failed. */
  unexpectedExits(): string[] {
    return this.#all
      .filter((service) => !service.running && !this.#killedByUs.has(service))
      .map((service) => `${service.name} (pid ${service.pid}) exited by itself`);
  }

  /** Processes signalled so far and how each ended. */
  async exits(): Promise<{ name: string; exit: string }[]> {
    return Promise.all(
      [...this.#killedByUs].map(async (service) => ({
        name: service.name,
        exit: exitText(await service.exited),
      })),
    );
  }

  async killAll(): Promise<void> {
    await Promise.all(this.live().map((service) => this.kill(service.name.split('#')[0] as string)));
  }
}
