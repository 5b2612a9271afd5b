import { describe, expect, it } from 'vitest';
import { type InvoicePushedToFinance, invoiceKey } from '../../src/invoice/invoice-events.ts';
import { PayloadShaLoader } from '../../src/platform/database/payload-sha-loader.ts';
import type { Infrastructure } from '../../src/service/infrastructure.ts';
import { pushedEvent } from '../fixtures/pushed-event.ts';
import { eventually } from '../helpers/eventually.ts';
import { produce, testKafka } from '../helpers/kafka.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';

async function publishPushed(infra: Infrastructure, topic: string, event: InvoicePushedToFinance) {
  const { codec, schemaIds, contracts } = infra;
  const value = await codec.encode(schemaIds.pushedToFinance, contracts.pushedToFinance, event);
  await produce(testKafka(), topic, [{ key: invoiceKey(event), value }]);
}

/*
 * Finance keys an invoice by (tenant_id, source, external_id), so one provider invoice id under two
 * tenants is two finance invoices with two finance ids. What finance does with them is the finance
 * client's concern; here the announcements of both pushes must land as two rows, neither
 * overwriting the other, and the pusher's skip check must read each tenant's own payload hash.
 */
describe('recorder: the same provider invoice id under two tenants', () => {
  it('records two cloud_invoices rows, each with its own finance id and payload hash', async () => {
    const { env, infra } = await pipelineForTest({
      roles: { pusher: false, recorder: true },
      finance: null,
      secret: null,
    });
    const platform = pushedEvent({ provider_invoice_id: 'INV-TENANTS-1', payload_sha256: 'a'.repeat(64) });
    const acme = pushedEvent({
      tenant_id: 'tenant-acme',
      provider_invoice_id: 'INV-TENANTS-1',
      payload_sha256: 'b'.repeat(64),
    });

    await publishPushed(infra, env.TOPIC_PUSHED_TO_FINANCE as string, platform);
    await publishPushed(infra, env.TOPIC_PUSHED_TO_FINANCE as string, acme);

    const { repository } = infra.database;
    const rowOf = (event: InvoicePushedToFinance) =>
      eventually(() => repository.find(event.tenant_id, event.provider, event.provider_invoice_id), {
        what: `the row of ${invoiceKey(event)}`,
      });
    expect(await rowOf(platform)).toMatchObject({
      tenant_id: 'platform-admin',
      finance_invoice_id: platform.finance_invoice_id,
      finance_payload_sha256: 'a'.repeat(64),
    });
    expect(await rowOf(acme)).toMatchObject({
      tenant_id: 'tenant-acme',
      finance_invoice_id: acme.finance_invoice_id,
      finance_payload_sha256: 'b'.repeat(64),
    });
    expect(platform.finance_invoice_id).not.toBe(acme.finance_invoice_id);
    const [count] = await infra.database.orm.em
      .getConnection()
      .execute<{ n: string }[]>(`select count(*) as n from cloud_invoices where provider_invoice_id = ?`, [
        'INV-TENANTS-1',
      ]);
    expect(Number(count?.n)).toBe(2);

    // The skip check the pusher runs before every push, asked for both tenants in one batch.
    const loader = new PayloadShaLoader(repository);
    expect(
      await Promise.all([
        loader.recordedPayloadSha('tenant-acme', 'digitalocean', 'INV-TENANTS-1'),
        loader.recordedPayloadSha('platform-admin', 'digitalocean', 'INV-TENANTS-1'),
        loader.recordedPayloadSha('tenant-other', 'digitalocean', 'INV-TENANTS-1'),
      ]),
    ).toEqual(['b'.repeat(64), 'a'.repeat(64), undefined]);
  });
});
