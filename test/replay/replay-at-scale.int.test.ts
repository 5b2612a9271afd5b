import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { normalizeInvoice } from '../../src/invoice/normalize-invoice.ts';
import { replayCommand } from '../../src/replay/replay.ts';
import { captureOutput, publishAt } from '../helpers/command-test-kit.ts';
import { eventually } from '../helpers/eventually.ts';
import { financeForTest, infraForTest, smallInvoice, testEnv } from '../helpers/service.ts';

describe('replay at scale: concurrent, never regressing, resumable', () => {
  it('pushes only the newest version of a key by default, saying why the old one is not pushed', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url });
    const infra = await infraForTest(env);
    const v1 = smallInvoice('INV-VERSIONED', [1000, 100]);
    const v2 = smallInvoice('INV-VERSIONED', [2000, 200]);
    await publishAt(infra, v1, 0);
    await publishAt(infra, v2, 0);

    const whole = await replayCommand(infra, { partitions: [0], dryRun: false }, captureOutput());
    expect(whole).toMatchObject({ selected: 2, pushed: 1, created: 1, superseded: 1 });
    expect(finance.invoices()[0]?.amount_gross_minor).toBe(2200);

    const output = captureOutput();
    const oldOnly = await replayCommand(
      infra,
      { partitions: [0], fromOffset: 0n, toOffset: 0n, dryRun: false },
      output,
    );
    expect(oldOnly).toMatchObject({ selected: 1, pushed: 0, superseded: 1 });
    expect(output.errLines).toContain(
      `0:0  ${invoiceKey(v1)}  superseded by offset 1 of the same key: not pushed, so finance ends on the newest version (--include-superseded pushes it anyway)`,
    );
    expect(finance.invoices()[0]?.amount_gross_minor).toBe(2200);
    expect(finance.stats().requests).toBe(1);

    const forced = await replayCommand(
      infra,
      { partitions: [0], fromOffset: 0n, toOffset: 0n, dryRun: false, includeSuperseded: true },
      captureOutput(),
    );
    expect(forced).toMatchObject({ pushed: 1, updated: 1, superseded: 0 });
    expect(finance.invoices()[0]?.amount_gross_minor).toBe(1100);
  });

  it('pushes different keys concurrently and each key’s versions in order', async () => {
    const finance = await financeForTest();
    finance.setFaults({ latencyMs: 100 });
    const env = testEnv({ financeUrl: finance.url, env: { PUSHER_MAX_IN_FLIGHT: '8' } });
    const infra = await infraForTest(env);
    const versions = [1, 2, 3].map((v) => smallInvoice('INV-ORDERED', [1000 * v, 100 * v]));
    const others = Array.from({ length: 24 }, (_, i) => smallInvoice(`INV-PAR-${i}`));
    // A key's versions share a partition, as the producer's key partitioning puts them.
    for (const [i, event] of [...versions, ...others].entries())
      await publishAt(infra, event, i < 3 ? 0 : i % 2);

    const summary = await replayCommand(infra, { dryRun: false, includeSuperseded: true }, captureOutput());
    expect(summary).toMatchObject({ selected: 27, pushed: 27 });
    expect(finance.stats().maxInFlight).toBeGreaterThanOrEqual(4);
    const ordered = finance
      .imports()
      .filter((i) => i.external_id === 'INV-ORDERED')
      .sort((a, b) => a.sequence - b.sequence);
    expect(ordered).toHaveLength(3);
    expect(ordered.map((i) => i.arrivedAtMs)).toEqual(
      [...ordered.map((i) => i.arrivedAtMs)].sort((a, b) => a - b),
    );
    // The versions' payloads arrived in publish order: the body hashes match v1, v2, v3.
    const hashes = versions.map((v) => normalizeInvoice(v).sha256);
    expect(ordered.map((i) => i.idempotency_key?.split(':').at(-1))).toEqual(hashes);
  });

  it('an interrupted replay saves where it got to; --resume finishes it, every invoice pushed exactly once by the pair', async () => {
    const finance = await financeForTest();
    finance.setFaults({ latencyMs: 30 });
    const env = testEnv({ financeUrl: finance.url, env: { PUSHER_MAX_IN_FLIGHT: '4' } });
    const infra = await infraForTest(env);
    const events = Array.from({ length: 60 }, (_, i) => smallInvoice(`INV-RESUME-${i}`));
    for (const [i, event] of events.entries()) await publishAt(infra, event, i % 3);
    const checkpoint = join(mkdtempSync(join(tmpdir(), 'ifs-replay-')), 'replay.json');

    const interrupt = new AbortController();
    const first = captureOutput();
    const running = replayCommand(infra, { dryRun: false, checkpoint, signal: interrupt.signal }, first);
    await eventually(() => (finance.imports().length >= 15 ? true : undefined), { what: '15 pushes' });
    interrupt.abort();
    const stopped = await running;
    expect(stopped.interrupted).toBe(true);
    expect(stopped.pushed).toBeLessThan(60);
    expect(first.errLines.at(-1)).toBe(`replay: resume with --resume ${checkpoint}`);
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as {
      partitions: { next: string; end: string }[];
    };
    expect(saved.partitions.some((p) => BigInt(p.next) < BigInt(p.end))).toBe(true);

    const resumed = await replayCommand(infra, { dryRun: false, resume: checkpoint }, captureOutput());
    expect(resumed.interrupted).toBe(false);
    expect(stopped.pushed + resumed.pushed).toBe(60);
    const perInvoice = new Map<string, number>();
    for (const i of finance.imports())
      perInvoice.set(i.external_id, (perInvoice.get(i.external_id) ?? 0) + 1);
    expect(perInvoice.size).toBe(60);
    expect([...perInvoice.values()].every((count) => count === 1)).toBe(true);
  });

  it('--rate spaces the pushes out', async () => {
    const finance = await financeForTest();
    const env = testEnv({ financeUrl: finance.url });
    const infra = await infraForTest(env);
    for (let i = 0; i < 6; i++) await publishAt(infra, smallInvoice(`INV-RATE-${i}`), 0);

    await replayCommand(infra, { dryRun: false, rate: 20 }, captureOutput());
    const arrivals = finance
      .imports()
      .map((i) => i.arrivedAtMs)
      .sort((a, b) => a - b);
    expect(arrivals).toHaveLength(6);
    // 20/s: one start every 50 ms. The first push also mints a token and opens a connection, so
    // spacing is measured from the second: four more starts, at least 200 ms apart in all (without
    // pacing the six would reach finance within a few milliseconds of each other).
    expect((arrivals[5] as number) - (arrivals[1] as number)).toBeGreaterThanOrEqual(150);
  });
});
