import { SyncError } from '../failures/errors.ts';

/**
 * Where a concurrent replay got to in each partition, so it can resume without repeating finished
 * records. Records of different keys finish out of order, so a position is "the first unfinished
 * offset" plus the offsets above it that finished already. Memory is bounded by the records in
 * flight: finished offsets are kept only while something below them is unfinished.
 */
export interface PartitionPosition {
  partition: number;
  /** First offset not finished: resume reads from here. */
  next: bigint;
  /** End of the range, exclusive. */
  end: bigint;
  /** Offsets at or above `next` that are finished: resume skips them. */
  done: bigint[];
}

interface Partition {
  end: bigint;
  handedUpTo: bigint;
  unfinished: Set<bigint>;
  finishedAbove: Set<bigint>;
}

export class RangeProgress {
  readonly #partitions = new Map<number, Partition>();

  constructor(positions: readonly PartitionPosition[]) {
    for (const { partition, next, end, done } of positions) {
      this.#partitions.set(partition, {
        end,
        handedUpTo: next,
        unfinished: new Set(),
        finishedAbove: new Set(done),
      });
    }
  }

  /** True for a record a previous run finished already. */
  wasDone(partition: number, offset: bigint): boolean {
    return this.#partitions.get(partition)?.finishedAbove.has(offset) === true;
  }

  begin(partition: number, offset: bigint): void {
    const p = this.#get(partition);
    p.unfinished.add(offset);
    if (offset >= p.handedUpTo) p.handedUpTo = offset + 1n;
  }

  finish(partition: number, offset: bigint): void {
    const p = this.#get(partition);
    p.unfinished.delete(offset);
    p.finishedAbove.add(offset);
    const lowest = lowestOf(p.unfinished) ?? p.handedUpTo;
    for (const finished of p.finishedAbove) if (finished < lowest) p.finishedAbove.delete(finished);
  }

  positions(): PartitionPosition[] {
    return [...this.#partitions].map(([partition, p]) => {
      const next = lowestOf(p.unfinished) ?? p.handedUpTo;
      const done = [...p.finishedAbove].filter((offset) => offset >= next).sort((a, b) => (a < b ? -1 : 1));
      return { partition, next, end: p.end, done };
    });
  }

  /** True when every partition got to its end. */
  get complete(): boolean {
    return this.positions().every((p) => p.next >= p.end || p.done.length === Number(p.end - p.next));
  }

  #get(partition: number): Partition {
    const p = this.#partitions.get(partition);
    if (!p) throw new SyncError('INTERNAL_INVARIANT', `partition ${partition} is not in the replayed range`);
    return p;
  }
}

function lowestOf(offsets: Set<bigint>): bigint | undefined {
  let lowest: bigint | undefined;
  for (const offset of offsets) if (lowest === undefined || offset < lowest) lowest = offset;
  return lowest;
}
