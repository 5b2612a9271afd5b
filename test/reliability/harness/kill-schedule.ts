import type { Scenario } from './scenario.ts';

export interface KillRecord {
  /** Which process was killed, e.g. `b#3`. */
  process: string;
  /** Milliseconds since the kills began. */
  atMs: number;
  /** Whether it had started (every consumer joined) when it died. */
  wasStarted: boolean;
  /** Imports finance was working on at that moment (pushes in flight). */
  financeInFlight: number;
}

export interface KillPlan {
  kills: number;
  instances: string[];
  /** A kill comes a random time within this range after the previous one (ms). */
  gapMs: [number, number];
  random: () => number;
  /** Waits for a good moment (e.g. pushes in flight); false stops the schedule early. */
  moment?: () => Promise<boolean>;
  /** Kill only processes that have started (joined, so pushing) when there are any. */
  preferStarted?: boolean;
}

/**
 * SIGKILLs a random instance at random moments, starting it again at once without waiting for it:
 * the next kill may land on a process still starting (migrations, joining), which is the point.
 */
export async function killAtRandom(scenario: Scenario, plan: KillPlan): Promise<KillRecord[]> {
  const { fleet, finance } = scenario;
  const records: KillRecord[] = [];
  const began = Date.now();
  const [min, max] = plan.gapMs;
  for (let i = 0; i < plan.kills; i++) {
    // A random gap between kills (not a synchronisation): when the next kill lands is the experiment.
    await new Promise((resolve) => setTimeout(resolve, min + plan.random() * (max - min)));
    if (plan.moment && !(await plan.moment())) break;
    const name = pick(plan, scenario);
    const victim = fleet.current(name);
    const inFlight = finance.stats().inFlight;
    await fleet.kill(name, 'SIGKILL');
    records.push({
      process: victim?.name ?? name,
      atMs: Date.now() - began,
      wasStarted: victim?.hasStarted ?? false,
      financeInFlight: inFlight,
    });
    fleet.launch(name);
  }
  return records;
}

function pick(plan: KillPlan, scenario: Scenario): string {
  const started = plan.instances.filter((name) => scenario.fleet.current(name)?.hasStarted);
  const pool = plan.preferStarted && started.length > 0 ? started : plan.instances;
  return pool[Math.floor(plan.random() * pool.length)] as string;
}

/** mulberry32: a small seeded generator, so a failing schedule can be run again (CHAOS_SEED). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function chaosSeed(value = process.env.CHAOS_SEED): number {
  return value ? Number(value) : Math.floor(Math.random() * 2 ** 31);
}
