import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import type { InvoicePushedToFinance } from '../../src/invoice/invoice-events.ts';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { pushedEvent } from '../fixtures/pushed-event.ts';
import { eventually } from '../helpers/eventually.ts';
import { produce, testKafka } from '../helpers/kafka.ts';
import { type PipelineOptions, pipelineForTest } from '../helpers/pipeline.ts';
import { serviceForTest } from '../helpers/service.ts';
import { tcpProxyForTest } from '../helpers/tcp-proxy.ts';

/** The recorder alone, no finance: a pipeline with a way to announce a push and to read its row. */
async function recorderSetup(options: Pick<PipelineOptions, 'env' | 'serviceEnv'> = {}) {
  const { env, infra, service } = await pipelineForTest({
    roles: { pusher: false, recorder: true },
    finance: null,
    secret: null,
    ...options,
  });
  const send = async (event: InvoicePushedToFinance) => {
    const value = await infra.codec.encode(
      infra.schemaIds.pushedToFinance,
      infra.contracts.pushedToFinance,
      event,
    );
    await produce(testKafka(), env.TOPIC_PUSHED_TO_FINANCE as string, [{ key: invoiceKey(event), value }]);
  };
  const row = (id: string) => infra.database.repository.find('platform-admin', 'digitalocean', id);
  return { service, send, row };
}

describe('recorder: invoice.pushed_to_finance → cloud_invoices', () => {
  it('creates the row with the finance id, and the same event twice leaves one identical row', async () => {
    const { send, row, service } = await recorderSetup();
    const event = pushedEvent({ provider_invoice_id: 'INV-REC-1' });
    await send(event);
    const first = await eventually(() => row('INV-REC-1'), { what: 'recorded row' });
    expect(first).toMatchObject({
      tenant_id: 'platform-admin',
      provider: 'digitalocean',
      provider_invoice_id: 'INV-REC-1',
      invoice_period: '2026-04-01',
      amount_cents: 8692,
      status: 'open',
      finance_invoice_id: event.finance_invoice_id,
      finance_payload_sha256: event.payload_sha256,
    });
    expect(first?.pushed_to_finance_at?.getTime()).toBe(event.pushed_at);

    await send(event);
    await eventually(async () => {
      const recorded = (await service.infra.metrics.events.get()).values.find(
        (v) => v.labels.outcome === 'recorded',
      );
      return recorded?.value === 2 ? true : undefined;
    });
    expect(await row('INV-REC-1')).toEqual(first);
  });

  it('ignores an older push that arrives after a newer one', async () => {
    const { send, row, service } = await recorderSetup();
    const newer = pushedEvent({
      provider_invoice_id: 'INV-REC-2',
      pushed_at: Date.parse('2026-05-03T00:00:00Z'),
    });
    const older = pushedEvent({
      provider_invoice_id: 'INV-REC-2',
      pushed_at: Date.parse('2026-05-01T00:00:00Z'),
      finance_invoice_id: randomUUID(),
      payload_sha256: 'b'.repeat(64),
    });
    await send(newer);
    await send(older);
    await eventually(async () => {
      const stale = (await service.infra.metrics.events.get()).values.find(
        (v) => v.labels.outcome === 'stale_ignored',
      );
      return stale?.value === 1 ? true : undefined;
    });
    expect(await row('INV-REC-2')).toMatchObject({
      finance_invoice_id: newer.finance_invoice_id,
      finance_payload_sha256: newer.payload_sha256,
    });
  });

  it('shares partitions between two recorders of one group', async () => {
    const { env, service: a } = await pipelineForTest({
      roles: { pusher: false, recorder: true },
      finance: null,
      secret: null,
      topics: { TOPIC_PUSHED_TO_FINANCE: { partitions: 4 } },
    });
    // The second recorder of the group: what the test is about, not set-up.
    const b = await serviceForTest(env, { pusher: false, recorder: true });
    const assignments = await eventually(
      async () => {
        const [ra, rb] = await Promise.all([a.readiness(), b.readiness()]);
        const pa = (ra.consumers as { assigned: number[] }[])[0]?.assigned ?? [];
        const pb = (rb.consumers as { assigned: number[] }[])[0]?.assigned ?? [];
        return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 4 ? [pa, pb] : undefined;
      },
      { what: 'both recorders holding partitions', timeoutMs: 60_000 },
    );
    expect([...(assignments[0] ?? []), ...(assignments[1] ?? [])].sort()).toEqual([0, 1, 2, 3]);
  });

  /** A recorder whose database connection goes through a proxy the test can cut. */
  async function recorderBehindProxy(extraEnv: Record<string, string> = {}) {
    const pgUrl = new URL(inject('databaseUrl'));
    const proxy = await tcpProxyForTest({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    const { send, row, service } = await recorderSetup({
      env: extraEnv,
      serviceEnv: (env) => {
        const viaProxy = new URL(env.DATABASE_URL as string);
        viaProxy.port = String(proxy.port());
        return { ...env, DATABASE_URL: viaProxy.toString() };
      },
    });
    await eventually(async () => ((await service.readiness()).ready ? true : undefined), { what: 'ready' });
    return { proxy, send, row, service };
  }

  it('keeps an event while the database is down and records it once the database answers again', async () => {
    const { proxy, send, row, service } = await recorderBehindProxy();

    await proxy.cut();
    await send(pushedEvent({ provider_invoice_id: 'INV-REC-DB' }));
    const notReady = await eventually(
      async () => {
        const readiness = await service.readiness();
        const failing = (readiness.consumers as { systemicFailure?: string }[])[0]?.systemicFailure;
        return failing ? readiness : undefined;
      },
      { what: 'recorder paused for a systemic failure' },
    );
    expect(notReady.ready).toBe(false);
    expect(JSON.stringify(notReady)).toMatch(/database/i);
    expect(await row('INV-REC-DB')).toBeUndefined();

    await proxy.restore();
    const recorded = await eventually(() => row('INV-REC-DB'), {
      what: 'row recorded after recovery',
      timeoutMs: 60_000,
    });
    expect(recorded?.provider_invoice_id).toBe('INV-REC-DB');
    await eventually(async () => ((await service.readiness()).ready ? true : undefined), {
      what: 'ready again',
    });
  });

  it('consumes again as soon as the database answers, not when a long backoff step ends', async () => {
    // A first backoff step of two minutes: recovery within the test's deadline can only come from the check.
    const { proxy, send, row, service } = await recorderBehindProxy({ SYSTEMIC_BACKOFF_MS: '120000' });
    await proxy.cut();
    await send(pushedEvent({ provider_invoice_id: 'INV-REC-BACK' }));
    await eventually(async () => ((await service.readiness()).ready ? undefined : true), {
      what: 'recorder paused for the database',
    });
    await proxy.restore();
    const recorded = await eventually(() => row('INV-REC-BACK'), {
      what: 'row recorded within 30 s of the database coming back (the backoff step is 120 s)',
      timeoutMs: 30_000,
    });
    expect(recorded?.provider_invoice_id).toBe('INV-REC-BACK');
    await eventually(async () => ((await service.readiness()).ready ? true : undefined), {
      what: 'ready again',
    });
  });
});
