import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { AttemptBudget } from '../../src/consuming/attempt-budget.ts';
import {
  BatchProcessor,
  type Halt,
  type RecordContext,
  type RecordHandler,
  type Rewind,
} from '../../src/consuming/batch-processor.ts';
import { KeyLanes, Semaphore } from '../../src/consuming/key-lanes.ts';
import { RecordWindow } from '../../src/consuming/record-window.ts';
import { SyncError } from '../../src/failures/errors.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { createMetrics } from '../../src/ops/metrics.ts';

/** Each record's handling waits until the test settles it (or fails it), by `partition/offset`. */
function gatedHandler() {
  const gates = new Map<string, { resolve(): void; reject(error: unknown): void }>();
  const started: string[] = [];
  const signals = new Map<string, AbortSignal>();
  const handler = {
    handle: (record: RecordContext) =>
      new Promise<void>((resolve, reject) => {
        const id = `${record.partition}/${record.offset}`;
        started.push(id);
        signals.set(id, record.signal);
        gates.set(id, { resolve, reject });
      }),
    deadLetter: async () => undefined,
  };
  const settle = async (id: string, error?: unknown) => {
    const gate = gates.get(id);
    if (!gate) throw new Error(`${id} has not started`);
    if (error) gate.reject(error);
    else gate.resolve();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { handler, started, signals, settle };
}

function setup(options: { highWater?: number; heartbeatIntervalMs?: number; handler?: RecordHandler } = {}) {
  const gated = gatedHandler();
  const durable: [number, string][] = [];
  const halts: { halt: Halt; rewind: Rewind[] }[] = [];
  const processor = new BatchProcessor({
    consumer: 'pusher',
    groupId: 'g',
    handler: options.handler ?? gated.handler,
    lanes: new KeyLanes(new Semaphore(8)),
    window: new RecordWindow(options.highWater ?? 100),
    log: createLogger({ level: 'silent', pretty: false }),
    metrics: createMetrics(),
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 60_000,
    budget: new AttemptBudget(),
    maxAttempts: 5,
    onDurable: (partition, next) => void durable.push([partition, next]),
    onHalt: (halt, rewind) => void halts.push({ halt, rewind }),
  });
  return { ...gated, processor, durable, halts };
}

/** A kafkajs batch of `keys` (one record each) from `first` on, with what the processor calls. */
function batch(partition: number, first: number, keys: string[], stale = false) {
  const messages = keys.map((key, i) => ({ key: Buffer.from(key), value: null, offset: String(first + i) }));
  const resolved: string[] = [];
  const payload = {
    batch: {
      topic: 't',
      partition,
      highWatermark: String(first + keys.length),
      messages: messages as unknown as KafkaMessage[],
      lastOffset: () => String(first + keys.length - 1),
    },
    resolveOffset: (offset: string) => void resolved.push(offset),
    heartbeat: async () => undefined,
    isStale: () => stale,
    isRunning: () => true,
  } as unknown as EachBatchPayload;
  return { payload, resolved };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchProcessor', () => {
  it('hands the batch back to kafkajs before its records finish, and moves the fetch position past it', async () => {
    const t = setup();
    const { payload, resolved } = batch(0, 10, ['a', 'b']);
    await t.processor.eachBatch(payload);
    await tick();
    expect(t.started).toEqual(['0/10', '0/11']);
    expect(resolved).toEqual(['11']);
    expect(t.durable).toEqual([]);
  });

  it('reports a partition durable only up to its first unfinished record', async () => {
    const t = setup();
    await t.processor.eachBatch(batch(0, 10, ['a', 'b', 'c']).payload);
    await tick();
    await t.settle('0/12');
    await t.settle('0/11');
    expect(t.durable).toEqual([]);
    await t.settle('0/10');
    expect(t.durable).toEqual([[0, '13']]);
  });

  it('keeps the order of one key across batches', async () => {
    const t = setup();
    await t.processor.eachBatch(batch(0, 0, ['a']).payload);
    await t.processor.eachBatch(batch(0, 1, ['a']).payload);
    await tick();
    expect(t.started).toEqual(['0/0']);
    await t.settle('0/0');
    expect(t.started).toEqual(['0/0', '0/1']);
  });

  it('makes kafkajs wait for the next fetch while the window is full', async () => {
    const t = setup({ highWater: 2 });
    let returned = false;
    const handling = t.processor.eachBatch(batch(0, 0, ['a', 'b', 'c']).payload).then(() => {
      returned = true;
    });
    await tick();
    expect(returned).toBe(false);
    await t.settle('0/0');
    await t.settle('0/1');
    await handling;
    expect(returned).toBe(true);
  });

  it('heartbeats all through a big batch taken through a full window, though each wait is shorter than the interval', async () => {
    // Found by the reliability suite: a backlog batch took minutes, one short wait after another,
    // without a heartbeat; the group expelled the member while it still pushed and announced.
    const handler = {
      // Each record takes 10 ms on purpose (not a synchronisation): time passes inside the handler.
      handle: () => new Promise<void>((resolve) => setTimeout(resolve, 10)),
      deadLetter: async () => undefined,
    };
    const t = setup({ highWater: 1, heartbeatIntervalMs: 40, handler });
    const { payload } = batch(
      0,
      0,
      Array.from({ length: 40 }, (_, i) => `k${i}`),
    );
    let heartbeats = 0;
    payload.heartbeat = async () => void heartbeats++;
    const started = Date.now();
    await t.processor.eachBatch(payload);
    const tookMs = Date.now() - started;
    expect(tookMs).toBeGreaterThan(300);
    expect(heartbeats).toBeGreaterThanOrEqual(Math.floor(tookMs / 40 / 2));
  });

  it('takes a big batch no faster than the window empties', async () => {
    const t = setup({ highWater: 2 });
    const { payload, resolved } = batch(0, 0, ['a', 'b', 'c', 'd']);
    const handling = t.processor.eachBatch(payload);
    await tick();
    expect(t.started).toEqual(['0/0', '0/1']);
    await t.settle('0/1');
    expect(t.started).toEqual(['0/0', '0/1', '0/2']);
    expect(resolved).toEqual([]);
    await t.settle('0/0');
    await handling;
    expect(t.started).toEqual(['0/0', '0/1', '0/2', '0/3']);
    expect(resolved).toEqual(['3']);
  });

  it('a failure while its batch is being taken leaves the rest of the batch for the rewind', async () => {
    const t = setup({ highWater: 1 });
    const { payload, resolved } = batch(0, 0, ['a', 'b', 'c']);
    const handling = t.processor.eachBatch(payload);
    await tick();
    await t.settle(
      '0/0',
      new SyncError('FINANCE_UNAVAILABLE', 'finance unavailable after retries: HTTP 503'),
    );
    await handling;
    expect(t.started).toEqual(['0/0']);
    expect(resolved).toEqual([]);
    expect(t.halts.map((h) => h.rewind)).toEqual([[{ partition: 0, offset: '0' }]]);
  });

  it('a transient failure stops its partition, rewinds it to the first unfinished record, other partitions go on', async () => {
    const t = setup();
    await t.processor.eachBatch(batch(0, 0, ['a', 'b']).payload);
    await t.processor.eachBatch(batch(0, 2, ['a']).payload);
    await t.processor.eachBatch(batch(1, 0, ['z']).payload);
    await tick();
    await t.settle(
      '0/1',
      new SyncError('FINANCE_UNAVAILABLE', 'finance unavailable after retries: HTTP 503'),
    );
    expect(t.halts.map((h) => [h.halt.action, h.halt.record.offset, h.rewind])).toEqual([
      ['pause-partition', '1', [{ partition: 0, offset: '0' }]],
    ]);
    await t.settle('0/0');
    await t.settle('1/0');
    // a's next record (offset 2) never starts; partition 1 is done.
    expect(t.started).toEqual(['0/0', '0/1', '1/0']);
    expect(t.durable).toEqual([
      [0, '1'],
      [1, '1'],
    ]);
  });

  it('after its pause, the stopped partition starts afresh from the rewind offset', async () => {
    const t = setup();
    await t.processor.eachBatch(batch(0, 0, ['a']).payload);
    await tick();
    await t.settle(
      '0/0',
      new SyncError('FINANCE_UNAVAILABLE', 'finance unavailable after retries: HTTP 503'),
    );
    const stale = batch(0, 1, ['b'], true);
    await t.processor.eachBatch(stale.payload);
    expect(stale.resolved).toEqual([]);
    await t.processor.eachBatch(batch(0, 0, ['a']).payload);
    await tick();
    await t.settle('0/0');
    expect(t.durable).toEqual([[0, '1']]);
  });

  it('a systemic failure stops and rewinds every partition', async () => {
    const t = setup();
    await t.processor.eachBatch(batch(0, 5, ['a']).payload);
    await t.processor.eachBatch(batch(1, 7, ['b']).payload);
    await tick();
    await t.settle('0/5', new SyncError('DATABASE_UNAVAILABLE', 'database down'));
    expect(t.halts.map((h) => [h.halt.action, h.rewind])).toEqual([
      [
        'pause-consumer',
        [
          { partition: 0, offset: '5' },
          { partition: 1, offset: '7' },
        ],
      ],
    ]);
  });

  it('a rebalance aborts in-flight records, starts nothing more and commits none of them', async () => {
    const t = setup();
    await t.processor.eachBatch(batch(0, 0, ['a', 'a']).payload);
    await tick();
    t.processor.revoke(new Error('REBALANCE_IN_PROGRESS'));
    expect(t.signals.get('0/0')?.aborted).toBe(true);
    await t.settle('0/0', t.signals.get('0/0')?.reason);
    expect(t.started).toEqual(['0/0']);
    expect(t.durable).toEqual([]);
    expect(t.halts).toEqual([]);
  });

  it('closing starts nothing more and drains once the records in flight finish', async () => {
    const t = setup();
    await t.processor.eachBatch(batch(0, 0, ['a', 'a']).payload);
    await tick();
    t.processor.close();
    let drained = false;
    const draining = t.processor.drained().then(() => {
      drained = true;
    });
    await tick();
    expect(drained).toBe(false);
    await t.settle('0/0');
    await draining;
    expect(t.started).toEqual(['0/0']);
    expect(t.durable).toEqual([[0, '1']]);
  });
});
