import type { PartitionLag } from '../platform/kafka/group-lag.ts';

/** One consumer group on one topic, as the overview shows it. */
export interface LagView {
  name: string;
  groupId: string;
  topic: string;
  /** Epoch ms of the last successful sample; undefined before the first. */
  sampledAt: number | undefined;
  /** Why the last sample failed, if it did (the figures shown are then older). */
  error: string | undefined;
  partitions: { partition: number; committed: string; end: string; lag: number; history: number[] }[];
}

interface Series {
  view: Omit<LagView, 'partitions'>;
  latest: Map<number, PartitionLag>;
  history: Map<number, number[]>;
}

/**
 * Lag samples per partition, the last `capacity` of each: enough for a sparkline of the last
 * minutes. Pure: the sampler feeds it, the overview reads it.
 */
export class LagHistory {
  readonly #capacity: number;
  readonly #series = new Map<string, Series>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  track(name: string, groupId: string, topic: string): void {
    const view = { name, groupId, topic, sampledAt: undefined, error: undefined };
    this.#series.set(name, { view, latest: new Map(), history: new Map() });
  }

  record(name: string, at: number, lags: PartitionLag[]): void {
    const series = this.#series.get(name);
    if (!series) return;
    series.view = { ...series.view, sampledAt: at, error: undefined };
    for (const lag of lags) {
      series.latest.set(lag.partition, lag);
      const points = series.history.get(lag.partition) ?? [];
      points.push(Number(lag.lag));
      if (points.length > this.#capacity) points.splice(0, points.length - this.#capacity);
      series.history.set(lag.partition, points);
    }
  }

  fail(name: string, error: string): void {
    const series = this.#series.get(name);
    if (series) series.view = { ...series.view, error };
  }

  views(): LagView[] {
    return [...this.#series.values()].map((series) => ({
      ...series.view,
      partitions: [...series.latest.values()]
        .sort((a, b) => a.partition - b.partition)
        .map((lag) => ({
          partition: lag.partition,
          committed: String(lag.committed),
          end: String(lag.end),
          lag: Number(lag.lag),
          history: [...(series.history.get(lag.partition) ?? [])],
        })),
    }));
  }
}
