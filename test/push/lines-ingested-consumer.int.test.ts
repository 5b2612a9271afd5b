import { describe, expect, it } from 'vitest';
import type { InvoicePushedToFinance } from '../../src/invoice/invoice-events.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { APRIL_2026, april2026Event, publishLinesIngested } from '../helpers/service.ts';

describe('pusher: invoice.lines_ingested → finance → invoice.pushed_to_finance', () => {
  it('pushes the April 2026 DigitalOcean invoice once; a new event with the same content gets finance’s stored answer', async () => {
    // The recorder is not running: nothing records the first push, so the second one goes to finance.
    const pipeline = await pipelineForTest();
    const { finance, infra } = pipeline;
    const pushedReader = await pipeline.pushed();

    const first = april2026Event();
    await publishLinesIngested(infra, first);
    const [announced] = await pushedReader.waitFor(1);
    const pushed = await infra.codec.decode<InvoicePushedToFinance>(
      announced?.value ?? null,
      infra.contracts.pushedToFinance,
    );

    expect(announced?.key).toBe(`platform-admin:digitalocean:${APRIL_2026.provider_invoice_id}`);
    expect(pushed).toMatchObject({
      causation_event_id: first.event_id,
      tenant_id: 'platform-admin',
      provider: 'digitalocean',
      provider_invoice_id: APRIL_2026.provider_invoice_id,
      invoice_period: first.invoice_period,
      action: 'created',
      currency: 'USD',
      amount_gross_minor: 8692,
      amount_tax_minor: 790,
      amount_net_minor: 7902,
      line_count: 33,
    });
    expect(pushed.payload_sha256).toMatch(/^[0-9a-f]{64}$/);
    const rows = finance.invoices();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: pushed.finance_invoice_id,
      tenant_id: 'platform-admin',
      source: 'digitalocean',
      external_id: APRIL_2026.provider_invoice_id,
      invoice_period: '2026-04-01',
      amount_gross_minor: 8692,
      amount_tax_minor: 790,
      amount_net_minor: 7902,
      vendor: { name: 'DigitalOcean', category: 'cloud' },
    });
    expect(finance.vendors()).toHaveLength(1);

    const second = april2026Event();
    await publishLinesIngested(infra, second);
    const both = await pushedReader.waitFor(2);
    const again = await infra.codec.decode<InvoicePushedToFinance>(
      both[1]?.value ?? null,
      infra.contracts.pushedToFinance,
    );
    // Same content, same Idempotency-Key: finance repeats its first answer and imports nothing.
    expect(again).toMatchObject({
      causation_event_id: second.event_id,
      action: 'created',
      finance_invoice_id: pushed.finance_invoice_id,
      payload_sha256: pushed.payload_sha256,
    });
    expect(finance.imports().map((entry) => entry.idempotency_key)).toEqual([
      `${announced?.key}:${pushed.payload_sha256}`,
    ]);
    expect(finance.invoices()).toHaveLength(1);
    expect(finance.vendors()).toHaveLength(1);
    expect(finance.stats()).toMatchObject({ byStatus: { '201': 2 }, idempotentReplays: 1 });
    await pushedReader.close();
  });
});
