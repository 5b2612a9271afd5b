import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { AttemptBudget } from '../../src/consuming/attempt-budget.ts';
import { BatchProcessor, type RecordContext } from '../../src/consuming/batch-processor.ts';
import { FairPermits } from '../../src/consuming/fair-permits.ts';
import { KeyLanes } from '../../src/consuming/key-lanes.ts';
import { RecordWindow } from '../../src/consuming/record-window.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { createMetrics } from '../../src/ops/metrics.ts';

const tenantOf = (lane: string) => lane.split(':')[0] ?? '';

/** A processor with parking over one partition whose log is `log` (keys by offset), read as kafkajs would. */
function setup(log: string[], options: { highWater: number; held?: Set<string> }) {
  const gates = new Map<string, () => void>();
  const started: string[] = [];
  const durable: string[] = [];
  const seeks: string[] = [];
  const held = options.held ?? new Set<string>();
  const permits = new FairPermits(4);
  for (const group of held) permits.hold(group);
  const processor = new BatchProcessor({
    consumer: 'pusher',
    groupId: 'g',
    handler: {
      handle: (record: RecordContext) =>
        new Promise<void>((resolve) => {
          started.push(`${record.key}@${record.offset}`);
          gates.set(record.offset, resolve);
        }),
      deadLetter: async () => undefined,
    },
    lanes: new KeyLanes(permits, tenantOf),
    window: new RecordWindow(options.highWater),
    log: createLogger({ level: 'silent', pretty: false }),
    metrics: createMetrics(),
    heartbeatIntervalMs: 60_000,
    budget: new AttemptBudget(),
    maxAttempts: 5,
    onDurable: (_partition, next) => void durable.push(next),
    onHalt: () => undefined,
    parking: {
      groupOf: tenantOf,
      held: (group) => held.has(group),
      seek: (_p, offset) => void seeks.push(offset),
    },
  });
  /** What kafkajs would do next: fetch from the last seek (or on from `from`) to the end of the log. */
  let position = 0;
  const fetch = async () => {
    const seek = seeks.at(-1);
    if (seek !== undefined && seeks.length > consumedSeeks) {
      consumedSeeks = seeks.length;
      position = Number(seek);
    }
    if (position >= log.length) return;
    const first = position;
    const messages = log
      .slice(first)
      .map((key, i) => ({ key: Buffer.from(key), value: null, offset: String(first + i) }));
    const seeksBefore = seeks.length;
    let resolved = first - 1;
    await processor.eachBatch({
      batch: {
        topic: 't',
        partition: 0,
        highWatermark: String(log.length),
        messages: messages as unknown as KafkaMessage[],
        lastOffset: () => String(log.length - 1),
      },
      resolveOffset: (offset: string) => {
        resolved = Number(offset);
      },
      heartbeat: async () => undefined,
      isStale: () => seeks.length > seeksBefore,
      isRunning: () => true,
    } as unknown as EachBatchPayload);
    if (seeks.length === seeksBefore) position = resolved + 1;
  };
  let consumedSeeks = 0;
  const settle = async (offset: number) => {
    gates.get(String(offset))?.();
    gates.delete(String(offset));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return { processor, started, durable, seeks, fetch, settle, gates, held, permits };
}

const acme = (n: number) => Array.from({ length: n }, (_, i) => `acme:p:${i % 3}`);

describe('BatchProcessor with parking', () => {
  it('parks a flood beyond its share and takes the next tenant at once, however deep the flood', async () => {
    const log = [...acme(40), 'globex:p:1'];
    const t = setup(log, { highWater: 8 });
    await t.fetch();
    expect(t.started).toContain('globex:p:1@40');
    expect(t.processor.parkedByGroup()).toEqual(
      new Map([['acme', { count: 36, oldestAt: expect.any(Number) }]]),
    );
    // Commits never pass a parked record.
    await t.settle(40);
    expect(t.durable).toEqual([]);
  });

  it('reads parked records again as the flood’s own run low, in order, and commits the whole log at the end', async () => {
    const log = [...acme(40), 'globex:p:1'];
    const t = setup(log, { highWater: 8 });
    await t.fetch();
    for (let round = 0; round < 100 && t.gates.size > 0; round++) {
      for (const offset of [...t.gates.keys()].map(Number)) await t.settle(offset);
      await t.fetch();
    }
    expect(t.gates.size).toBe(0);
    expect(t.processor.parkedByGroup()).toEqual(new Map());
    expect(t.durable.at(-1)).toBe('41');
    // Every record started once; each key's in offset order.
    expect(t.started).toHaveLength(41);
    for (const key of ['acme:p:0', 'acme:p:1', 'acme:p:2']) {
      const offsets = t.started.filter((s) => s.startsWith(`${key}@`)).map((s) => Number(s.split('@')[1]));
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
    expect(t.seeks.length).toBeGreaterThan(1);
  });

  it('parks a held tenant’s records as they come, whatever the window, and reads them once it is let go', async () => {
    const log = ['paused:p:1', 'globex:p:1', 'paused:p:1', 'globex:p:2'];
    const t = setup(log, { highWater: 100, held: new Set(['paused']) });
    await t.fetch();
    expect(t.started).toEqual(['globex:p:1@1', 'globex:p:2@3']);
    expect(t.processor.parkedByGroup().get('paused')?.count).toBe(2);
    await t.settle(1);
    await t.settle(3);
    expect(t.durable).toEqual([]);
    const seeks = t.seeks.length;
    t.held.delete('paused');
    t.permits.release('paused');
    // Nothing of it finishes to ask for a pass: the processor's periodic check does.
    const deadline = Date.now() + 5_000;
    while (t.seeks.length === seeks && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(t.seeks.at(-1)).toBe('0');
    await t.fetch();
    expect(t.started).toEqual(['globex:p:1@1', 'globex:p:2@3', 'paused:p:1@0']);
    await t.settle(0);
    expect(t.started.at(-1)).toBe('paused:p:1@2');
    await t.settle(2);
    expect(t.durable.at(-1)).toBe('4');
  });
});
