/**
 * Sizes of the reliability scenarios. `CHAOS_SCALE=full` (npm run chaos) runs the sizes of the
 * issue; anything else is the CI version inside `npm test`: a tenth of the invoices, a quarter of
 * the kills, shorter outages, so every scenario still meets each fault but the files stay within
 * their time budget on a 2-core machine.
 */
export type ScaleName = 'full' | 'ci';

export interface Scale {
  name: ScaleName;
  killsDuringFlow: { invoices: number; kills: number; rate: number };
  killsWithBacklog: { invoices: number; kills: number; financeLatencyMs: number };
  /** One tenant's backlog (`invoices`) beside another's trickle (`quiet` at `quietRate`), through kills. */
  killsInFlood: {
    invoices: number;
    quiet: number;
    quietRate: number;
    kills: number;
    financeLatencyMs: number;
  };
  instanceLost: { invoices: number; rate: number };
  financeFaults: { invoices: number; rate: number; outageMs: number; slowMs: number };
  databaseCut: { invoices: number; rate: number; cutMs: number };
  brokerRestart: { invoices: number; rate: number; downMs: number };
  /** Valid invoices published before, between and after the poison records. */
  poisonSpacing: number;
  /** Upper bound of one scenario, settling included (ms). */
  timeoutMs: number;
}

const FULL: Scale = {
  name: 'full',
  killsDuringFlow: { invoices: 5_000, kills: 20, rate: 40 },
  killsWithBacklog: { invoices: 5_000, kills: 20, financeLatencyMs: 150 },
  killsInFlood: { invoices: 5_000, quiet: 300, quietRate: 5, kills: 10, financeLatencyMs: 150 },
  instanceLost: { invoices: 3_000, rate: 60 },
  financeFaults: { invoices: 2_000, rate: 40, outageMs: 20_000, slowMs: 10_000 },
  databaseCut: { invoices: 1_000, rate: 20, cutMs: 20_000 },
  brokerRestart: { invoices: 1_000, rate: 20, downMs: 20_000 },
  poisonSpacing: 20,
  timeoutMs: 1_800_000, // half an hour
};

const CI: Scale = {
  name: 'ci',
  killsDuringFlow: { invoices: 500, kills: 5, rate: 20 },
  killsWithBacklog: { invoices: 500, kills: 5, financeLatencyMs: 150 },
  killsInFlood: { invoices: 500, quiet: 60, quietRate: 5, kills: 3, financeLatencyMs: 150 },
  instanceLost: { invoices: 300, rate: 20 },
  financeFaults: { invoices: 200, rate: 10, outageMs: 8_000, slowMs: 4_000 },
  databaseCut: { invoices: 100, rate: 5, cutMs: 8_000 },
  brokerRestart: { invoices: 100, rate: 5, downMs: 5_000 },
  poisonSpacing: 2,
  timeoutMs: 240_000,
};

export function chaosScale(value = process.env.CHAOS_SCALE): Scale {
  return value === 'full' ? FULL : CI;
}
