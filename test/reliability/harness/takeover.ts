import { Partitioners } from 'kafkajs';
import { eventually } from '../../helpers/eventually.ts';
import { EXIT_TIMEOUT_MS } from './fleet.ts';
import type { Scenario } from './scenario.ts';

const partitioner = Partitioners.DefaultPartitioner();

/** The partition the producer's (and the service's) default partitioner gives a key. */
export function partitionOf(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return partitioner({ topic: 'any', partitionMetadata, message: { key, value: null } });
}

interface ReadyzConsumer {
  name: string;
  joined: boolean;
  assigned: number[];
}

export async function consumersOf(opsUrl: string): Promise<ReadyzConsumer[]> {
  const response = await fetch(`${opsUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
  return ((await response.json()) as { consumers: ReadyzConsumer[] }).consumers;
}

/** Who holds the pusher's partitions now, for a wait's error: `a: joined [0,1,2]; b: not joined []`. */
export async function pusherHolders(scenario: Scenario): Promise<string> {
  const held = await Promise.all(
    scenario.fleet.live().map(async (service) => {
      if (!service.opsUrl) return `${service.name}: no ops server yet`;
      const pusher = (await consumersOf(service.opsUrl).catch(() => [])).find((c) => c.name === 'pusher');
      if (!pusher) return `${service.name}: no pusher answer`;
      return `${service.name}: ${pusher.joined ? 'joined' : 'not joined'} [${pusher.assigned.join(',')}]`;
    }),
  );
  return `pusher partitions now: ${held.join('; ') || 'no live instance'}`;
}

/** Waits until every named instance's pusher holds some partitions and all six are held. */
export async function pusherPartitionsSpread(
  scenario: Scenario,
  names: string[],
  partitions: number,
  timeoutMs = 120_000,
) {
  return eventually(
    async () => {
      const held = new Map<string, number[]>();
      for (const name of names) {
        const opsUrl = scenario.fleet.current(name)?.opsUrl;
        if (!opsUrl) return undefined;
        const pusher = (await consumersOf(opsUrl)).find((c) => c.name === 'pusher');
        if (!pusher?.joined || pusher.assigned.length === 0) return undefined;
        held.set(name, pusher.assigned);
      }
      const all = new Set([...held.values()].flat());
      return all.size === partitions ? held : undefined;
    },
    {
      timeoutMs,
      intervalMs: 250,
      what: async () =>
        `pusher partitions spread over ${names.join(', ')} (${await pusherHolders(scenario)})`,
    },
  );
}

/**
 * Stops instance `victim` with `signal` and measures how long until finance receives a push of a
 * record on one of the victim's pusher partitions again: taken over by another member. Only
 * imports that arrive after the victim is gone count, so its own last pushes are not mistaken for it.
 */
export async function measureTakeover(
  scenario: Scenario,
  victim: string,
  signal: NodeJS.Signals,
  partitions: number,
  timeoutMs = 180_000,
): Promise<{ takeoverMs: number; exitMs: number; partitions: number[] }> {
  const opsUrl = scenario.fleet.current(victim)?.opsUrl;
  if (!opsUrl) throw new Error(`${victim} has no ops server`);
  const pusher = (await consumersOf(opsUrl)).find((c) => c.name === 'pusher');
  const owned = new Set(pusher?.assigned ?? []);
  const signalledAt = Date.now();
  await scenario.fleet.kill(victim, signal, Math.min(EXIT_TIMEOUT_MS, timeoutMs));
  const goneAt = Date.now();
  const arrivedAt = await eventually(
    () =>
      scenario.finance
        .imports()
        .find(
          (i) =>
            i.arrivedAtMs > goneAt &&
            owned.has(partitionOf(`${i.tenant_id}:${i.source}:${i.external_id}`, partitions)),
        )?.arrivedAtMs,
    {
      timeoutMs: Math.max(1_000, timeoutMs - (Date.now() - signalledAt)),
      intervalMs: 100,
      what: async () => `a push from ${victim}'s partitions ${[...owned]} (${await pusherHolders(scenario)})`,
    },
  );
  return {
    takeoverMs: Math.round(arrivedAt - signalledAt),
    exitMs: goneAt - signalledAt,
    partitions: [...owned],
  };
}
