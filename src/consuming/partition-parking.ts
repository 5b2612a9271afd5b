import { SyncError } from '../failures/errors.ts';

/**
 * Parking (fair scheduling): once the window is half full, a record whose group already holds its
 * equal share of the window, or whose group an operator holds, is not taken: its offset is kept and the
 * fetch goes on, so the records of other groups behind a flood are seen at once, however deep the flood.
 * A group's parked records are read again (a pass from its first parked offset) as its records in
 * progress run low, and taken in offset order; commits never pass a parked offset.
 */
export interface ParkingOptions {
  /** The group (tenant) of a record's lane (its key). */
  groupOf(lane: string): string;
  /** True while an operator holds the group. */
  held(group: string): boolean;
  /** Moves the partition's fetch position (a kafkajs seek), to read parked records again or go on after them. */
  seek(partition: number, offset: string): void;
}

/** How often a processor looks whether a group's parked records should be read again (also after each finish). */
export const PASS_CHECK_MS = 200;

/** A group's parked records: how many, and when the oldest of them was published (ms since the epoch). */
export interface ParkedRecords {
  count: number;
  oldestAt: number;
}

/** Parked records not read again yet, by group, across partitions. */
export function parkedByGroup(partitions: (PartitionParking | undefined)[]): Map<string, ParkedRecords> {
  const total = new Map<string, ParkedRecords>();
  for (const parking of partitions) {
    for (const [group, mine] of parking?.parkedByGroup() ?? []) {
      const sum = total.get(group);
      total.set(
        group,
        sum ? { count: sum.count + mine.count, oldestAt: Math.min(sum.oldestAt, mine.oldestAt) } : mine,
      );
    }
  }
  return total;
}

/**
 * Offsets in arrival order with their records' timestamps, taken from the front; a head index instead
 * of `shift()` keeps both O(1).
 */
class OffsetQueue {
  #items: bigint[] = [];
  #times: number[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  get first(): bigint | undefined {
    return this.#items[this.#head];
  }

  /** When the first was published (ms since the epoch). */
  get firstAt(): number {
    return this.#times[this.#head] ?? Number.NaN;
  }

  push(offset: bigint, at: number): void {
    this.#items.push(offset);
    this.#times.push(at);
  }

  shift(): void {
    this.#head++;
    if (this.#head > 1_024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * Which records of one partition are parked: left in Kafka (only their offsets kept here, a few dozen
 * bytes each) because their group (tenant) already holds its share of the read-ahead or is held by an
 * operator. A group is parked from its first parked record on: every later record of it in the
 * partition is parked too, so its records (and each key's) still start in offset order. A pass reads
 * the partition again from the first parked offset and loads up to a quota of each group's parked
 * records, in order; a group whose parked records are all loaded is let go, and its next records are
 * taken as they come.
 */
export class PartitionParking {
  /** Parked offsets not loaded yet, by group, in offset order. */
  readonly #parked = new Map<string, OffsetQueue>();
  /** Records of this partition taken or loaded and not finished, by group. */
  readonly #open = new Map<string, number>();
  /** While a pass runs: how many more parked records each of its groups may load (0: quota used). */
  #quotas: Map<string, number> | undefined;
  #vanished: bigint[] = [];

  /** True while the group has parked records here: its next record is parked too. */
  isParked(group: string): boolean {
    return this.#parked.has(group);
  }

  /** Parks the record at `offset` of `group`, published at `at` (ms since the epoch). */
  park(group: string, offset: bigint, at = Date.now()): void {
    let queue = this.#parked.get(group);
    if (!queue) {
      queue = new OffsetQueue();
      this.#parked.set(group, queue);
    }
    queue.push(offset, at);
  }

  /** Parked records not loaded yet, by group. */
  parkedByGroup(): Map<string, ParkedRecords> {
    return new Map(
      [...this.#parked].map(([group, queue]) => [group, { count: queue.size, oldestAt: queue.firstAt }]),
    );
  }

  get parked(): number {
    let count = 0;
    for (const queue of this.#parked.values()) count += queue.size;
    return count;
  }

  opened(group: string): void {
    this.#open.set(group, (this.#open.get(group) ?? 0) + 1);
  }

  closed(group: string): void {
    const left = (this.#open.get(group) ?? 1) - 1;
    if (left > 0) this.#open.set(group, left);
    else this.#open.delete(group);
  }

  get passing(): boolean {
    return this.#quotas !== undefined;
  }

  /**
   * The quotas of a pass worth making now: each group not held whose records open here fell to half
   * of `budget` may load up to `budget` minus those. Undefined when no group needs one.
   */
  passQuotas(budget: number, held: (group: string) => boolean): Map<string, number> | undefined {
    const quotas = new Map<string, number>();
    for (const group of this.#parked.keys()) {
      if (held(group)) continue;
      const open = this.#open.get(group) ?? 0;
      if (open * 2 <= budget) quotas.set(group, budget - open);
    }
    return quotas.size > 0 ? quotas : undefined;
  }

  /** Starts a pass with `quotas` (from passQuotas); returns the offset to read from. */
  beginPass(quotas: Map<string, number>): bigint {
    let from: bigint | undefined;
    for (const group of quotas.keys()) {
      const first = this.#parked.get(group)?.first;
      if (first !== undefined && (from === undefined || first < from)) from = first;
    }
    if (from === undefined) {
      throw new SyncError('INTERNAL_INVARIANT', 'a pass needs a group with parked records', {
        details: { groups: [...quotas.keys()] },
      });
    }
    this.#quotas = new Map(quotas);
    return from;
  }

  /**
   * During a pass, a record read again: true when it is the next parked record of a group with quota
   * left, which is then loaded (no longer parked); false when it was taken before, or stays parked.
   * `beyondQuota`: a group of this pass whose quota is used loads it too when it is its very next parked
   * record (the rest of a fetch already decoded, while the window has room, so the next pass need not
   * fetch and decode it again); one passed over meanwhile stays first in line, and so do those after it.
   */
  load(group: string, offset: bigint, beyondQuota = false): boolean {
    const quota = this.#quotas?.get(group);
    const queue = this.#parked.get(group);
    if (!queue || quota === undefined) return false;
    if (quota === 0 && !(beyondQuota && queue.first === offset)) return false;
    // Parked offsets the read went past are no longer in the log (deleted by retention meanwhile).
    while (queue.first !== undefined && queue.first < offset) {
      this.#vanished.push(queue.first);
      queue.shift();
    }
    if (queue.first !== offset) {
      if (queue.size === 0) {
        this.#parked.delete(group);
        this.#quotas?.delete(group);
      }
      return false;
    }
    queue.shift();
    if (queue.size > 0) {
      if (quota > 0) this.#quotas?.set(group, quota - 1);
    } else {
      this.#parked.delete(group);
      this.#quotas?.delete(group);
    }
    return true;
  }

  /** Parked offsets a pass found gone from the log since the last call: nothing is left to do for them. */
  takeVanished(): bigint[] {
    const vanished = this.#vanished;
    this.#vanished = [];
    return vanished;
  }

  /** True once every group of the pass has loaded its quota or all its parked records. */
  get passDone(): boolean {
    if (!this.#quotas) return false;
    for (const quota of this.#quotas.values()) if (quota > 0) return false;
    return true;
  }

  endPass(): void {
    this.#quotas = undefined;
  }
}
