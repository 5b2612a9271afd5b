import { onTestFinished } from 'vitest';
import { type ExitInfo, exitText, ServiceProcess } from './service-process.ts';

export interface FleetOptions {
  env: Record<string, string>;
  logDir: string;
  only?: 'pusher' | 'recorder';
}

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

  /** Starts instance `name` (again); resolves once its ops server answers. */
  async start(name: string): Promise<ServiceProcess> {
    const service = this.launch(name);
    await service.started();
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

  /** Signals the current process of `name` and waits until it is gone. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo | undefined> {
    const service = this.#current.get(name);
    if (!service?.running) return undefined;
    this.#killedByUs.add(service);
    return service.kill(signal);
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
