import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { pipelineForTest } from '../helpers/pipeline.ts';
import { financeForTest, publishLinesIngested, smallInvoice } from '../helpers/service.ts';
import { tlsMaterialForTest } from '../helpers/tls.ts';

type ConsumerView = { name: string; systemicFailure?: string };
type ReadyzBody = { ready: boolean; consumers: ConsumerView[] };

/** The reference finance server on HTTPS, its certificate signed by a CA of this test's own. */
async function httpsFinance() {
  const tls = await tlsMaterialForTest({ caName: 'finance CA' });
  const finance = await financeForTest({
    tls: { cert: readFileSync(tls.certFile, 'utf8'), key: readFileSync(tls.keyFile, 'utf8') },
  });
  return { finance, caFile: tls.caFile };
}

async function readyz(opsUrl: string): Promise<{ status: number; body: ReadyzBody }> {
  const res = await fetch(`${opsUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as ReadyzBody };
}

describe('finance over HTTPS with a private CA', () => {
  it('pushes through FINANCE_CA_FILE and stays ready', async () => {
    const { finance, caFile } = await httpsFinance();
    expect(finance.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { infra, service } = await pipelineForTest({ finance, env: { FINANCE_CA_FILE: caFile } });
    await publishLinesIngested(infra, smallInvoice('INV-OVER-HTTPS'));

    await eventually(() => finance.invoices().find((row) => row.external_id === 'INV-OVER-HTTPS'), {
      what: 'the invoice in finance',
    });
    const answer = await eventually(
      async () => {
        const r = await readyz(service.ops?.url as string);
        return r.status === 200 ? r : undefined;
      },
      { what: '/readyz 200' },
    );
    expect(answer.body.ready).toBe(true);
  });

  it('without the CA: not ready, saying finance’s certificate was refused and naming FINANCE_CA_FILE; nothing dead-lettered', async () => {
    const { finance } = await httpsFinance();
    const { infra, service, pusherDeadLetters } = await pipelineForTest({ finance });
    const dlq = await pusherDeadLetters();
    await publishLinesIngested(infra, smallInvoice('INV-UNTRUSTED-FINANCE'));

    const notReady = await eventually(
      async () => {
        const r = await readyz(service.ops?.url as string);
        return r.body.consumers.find((c) => c.name === 'pusher')?.systemicFailure ? r : undefined;
      },
      { what: 'the pusher reporting a systemic failure' },
    );
    expect(notReady.status).toBe(503);
    expect(notReady.body.ready).toBe(false);
    expect(notReady.body.consumers.find((c) => c.name === 'pusher')?.systemicFailure).toBe(
      `TLS handshake with finance at ${finance.url}: its certificate was refused, it is not signed by a CA we trust (UNABLE_TO_VERIFY_LEAF_SIGNATURE); set FINANCE_CA_FILE to the PEM certificate of the CA that signed it`,
    );
    expect(finance.stats().byStatus).toEqual({});
    expect(dlq.messages).toHaveLength(0);
    await dlq.close();
  });
});
