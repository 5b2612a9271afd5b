import type { Admin } from 'kafkajs';
import { messageOf } from '../failures/errors.ts';
import { fetchGroupLag } from '../platform/kafka/group-lag.ts';
import type { LagHistory } from './lag-history.ts';

export interface LagTarget {
  name: string;
  groupId: string;
  topic: string;
}

export interface LagSamplerOptions {
  /** An admin client of its own, connected on the first sample and disconnected by `stop()`. */
  admin: Pick<Admin, 'connect' | 'fetchOffsets' | 'fetchTopicOffsets' | 'disconnect'>;
  history: LagHistory;
  targets: LagTarget[];
  intervalMs: number;
  now?: () => number;
}

/**
 * Samples each group's lag every `intervalMs` into the history. One sample at a time: when Kafka
 * is slow, ticks are skipped rather than piled up. Failures are kept for the overview to show,
 * never thrown: the console must not take the service down.
 */
export class LagSampler {
  readonly #options: LagSamplerOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(options: LagSamplerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    for (const target of options.targets) options.history.track(target.name, target.groupId, target.topic);
  }

  start(): void {
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Takes one sample of every target (or joins the one under way). */
  sample(): Promise<void> {
    this.#inFlight ??= this.#sampleAll().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#inFlight;
    await this.#options.admin.disconnect();
  }

  async #sampleAll(): Promise<void> {
    const { admin, history } = this.#options;
    try {
      await admin.connect(); // a no-op once connected; retried here after Kafka was down at start
    } catch (error) {
      for (const target of this.#options.targets) history.fail(target.name, messageOf(error));
      return;
    }
    await Promise.all(
      this.#options.targets.map(async (target) => {
        try {
          history.record(target.name, this.#now(), await fetchGroupLag(admin, target.groupId, target.topic));
        } catch (error) {
          history.fail(target.name, messageOf(error));
        }
      }),
    );
  }
}
