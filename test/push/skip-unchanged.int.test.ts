import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { april2026Event, publishLinesIngested } from '../helpers/service.ts';

describe('pusher: no useless re-push', () => {
  it('skips an invoice finance already holds byte for byte, and pushes it again when its lines change', async () => {
    const { finance, infra, service } = await pipelineForTest({ roles: { recorder: true } });
    const outcome = async (name: string) =>
      (await service.infra.metrics.events.get()).values.find((v) => v.labels.outcome === name)?.value ?? 0;
    const original = april2026Event();
    await publishLinesIngested(infra, original);
    const recorded = await eventually(
      async () =>
        (await infra.database.repository.find(
          original.tenant_id,
          'digitalocean',
          original.provider_invoice_id,
        )) ?? undefined,
      { what: 'the first push recorded' },
    );
    expect(recorded.finance_payload_sha256).toMatch(/^[0-9a-f]{64}$/);

    await publishLinesIngested(infra, april2026Event());
    await eventually(async () => ((await outcome('skipped')) === 1 ? true : undefined), { what: 'a skip' });
    expect(finance.stats().requests).toBe(1);

    const changed = april2026Event();
    changed.lines = changed.lines.map((line, i) =>
      i === 0 ? { ...line, amount_minor: line.amount_minor + 100 } : line,
    );
    changed.total_minor += 100;
    await publishLinesIngested(infra, changed);
    await eventually(async () => ((await outcome('updated')) === 1 ? true : undefined), {
      what: 'an update',
    });
    expect(finance.stats().byStatus).toEqual({ '201': 1, '200': 1 });
    expect(finance.invoices()[0]?.amount_gross_minor).toBe(8792);
    await eventually(async () => {
      const row = await infra.database.repository.find(
        original.tenant_id,
        'digitalocean',
        original.provider_invoice_id,
      );
      return row?.amount_cents === 8792 ? row : undefined;
    });
  });
});
