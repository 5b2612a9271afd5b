import type { GroupState, WaitReason } from '../consuming/fair-permits.ts';
import type { ParkedRecords } from '../consuming/partition-parking.ts';
import type { Logger } from '../ops/logger.ts';
import type { PausedTenant, TenantPauses } from './tenant-pauses.ts';

/** What tenant control needs of the scheduler: hold and let go of a tenant, and what each waits for. */
export interface TenantScheduler {
  hold(tenant: string): void;
  release(tenant: string): void;
  held(tenant: string): boolean;
  groups(): GroupState[];
  /** Events scheduled and not finished by tenant: running, waiting for a slot, or behind their key's. */
  pending(): ReadonlyMap<string, number>;
  /** Events parked in Kafka by tenant, to be read again (set once the pusher's consumer exists). */
  parked?: () => ReadonlyMap<string, ParkedRecords>;
}

/** One tenant as the console and the metrics show it. */
export interface TenantRow {
  tenant: string;
  /** Set while an operator has it paused. */
  pause: PausedTenant | undefined;
  /** Events of it in progress toward finance. */
  inFlight: number;
  /** Events of it not started: taken from Kafka and held, waiting for a slot or behind their key's, or parked. */
  waiting: number;
  /** Of those, the ones parked: left in Kafka (over its share of the read-ahead, or paused), read again in order. */
  parked: number;
  /** How long the oldest of those has waited (ms). */
  oldestWaitMs: number;
  /** Why they wait; undefined when none does. */
  reason: TenantWaitReason | undefined;
}

/** Why a tenant's events wait: the scheduler's reasons, or parked in Kafka over its share of the read-ahead. */
export type TenantWaitReason = WaitReason | 'parked';

/**
 * Which tenants are paused, for every pusher instance: the pauses kept in PostgreSQL (`tenant_pauses`),
 * read at start (before anything is consumed, so a restart never lets a paused tenant's events through)
 * and every `checkMs` after, and applied to this instance's scheduler. Without a scheduler (a process
 * running no pusher) it only reads and writes the pauses.
 */
export class TenantControl {
  readonly #pauses: TenantPauses;
  readonly #scheduler: TenantScheduler | undefined;
  readonly #log: Logger;
  readonly #checkMs: number;
  #paused = new Map<string, PausedTenant>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { pauses: TenantPauses; scheduler?: TenantScheduler; log: Logger; checkMs: number }) {
    this.#pauses = options.pauses;
    this.#scheduler = options.scheduler;
    this.#log = options.log;
    this.#checkMs = options.checkMs;
  }

  /** Reads the pauses once (a failure stops the start: a paused tenant must not flow), then every checkMs. */
  async start(): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => {
      this.refresh().catch((error: unknown) =>
        this.#log.warn({ err: error }, 'tenant pauses not read: the last known ones stay in force'),
      );
    }, this.#checkMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async refresh(): Promise<void> {
    const now = new Map((await this.#pauses.list()).map((pause) => [pause.tenant_id, pause]));
    for (const [tenant, pause] of now) {
      if (this.#paused.has(tenant)) continue;
      this.#scheduler?.hold(tenant);
      this.#log.info(
        { tenant_id: tenant, paused_by: pause.paused_by },
        'tenant paused: its events wait in order',
      );
    }
    for (const tenant of this.#paused.keys()) {
      if (now.has(tenant)) continue;
      this.#scheduler?.release(tenant);
      this.#log.info({ tenant_id: tenant }, 'tenant resumed: its waiting events go on in order');
    }
    this.#paused = now;
  }

  /** Pauses `tenant` for every instance; this one at once. False when it was paused already. */
  async pause(tenant: string, by: string, reason?: string): Promise<boolean> {
    const paused = await this.#pauses.pause(tenant, by, reason);
    await this.refresh();
    return paused;
  }

  /** Resumes `tenant` for every instance; this one at once. False when it was not paused. */
  async resume(tenant: string): Promise<boolean> {
    const resumed = await this.#pauses.resume(tenant);
    await this.refresh();
    return resumed;
  }

  /** Every tenant paused, in progress or waiting, paused ones and the longest waits first. */
  rows(): TenantRow[] {
    const rows = new Map<string, TenantRow>();
    const pending = this.#scheduler?.pending() ?? new Map<string, number>();
    const parked = this.#scheduler?.parked?.() ?? new Map<string, ParkedRecords>();
    for (const group of this.#scheduler?.groups() ?? []) {
      const itsParked = parked.get(group.group);
      const inKafka = itsParked?.count ?? 0;
      rows.set(group.group, {
        tenant: group.group,
        pause: this.#paused.get(group.group),
        inFlight: group.running,
        waiting: Math.max(group.waiting, (pending.get(group.group) ?? 0) - group.running) + inKafka,
        parked: inKafka,
        oldestWaitMs: Math.max(group.oldestWaitMs, parkedWaitMs(itsParked)),
        reason: group.reason ?? (inKafka > 0 ? (group.held ? 'held' : 'parked') : undefined),
      });
    }
    for (const [tenant, inKafka] of parked) {
      if (rows.has(tenant) || inKafka.count === 0) continue;
      const pause = this.#paused.get(tenant);
      rows.set(tenant, {
        tenant,
        pause,
        inFlight: 0,
        waiting: inKafka.count,
        parked: inKafka.count,
        oldestWaitMs: parkedWaitMs(inKafka),
        reason: pause ? 'held' : 'parked',
      });
    }
    for (const [tenant, pause] of this.#paused) {
      if (!rows.has(tenant))
        rows.set(tenant, {
          tenant,
          pause,
          inFlight: 0,
          waiting: 0,
          parked: 0,
          oldestWaitMs: 0,
          reason: undefined,
        });
    }
    return [...rows.values()].sort(
      (a, b) =>
        Number(b.pause !== undefined) - Number(a.pause !== undefined) || b.oldestWaitMs - a.oldestWaitMs,
    );
  }
}

/** How long a tenant's oldest parked event has waited: since it was published. */
function parkedWaitMs(parked: ParkedRecords | undefined): number {
  if (parked === undefined || Number.isNaN(parked.oldestAt)) return 0;
  return Math.max(0, Date.now() - parked.oldestAt);
}
