import { describe, expect, it } from 'vitest';
import { FairPermits } from '../../src/consuming/fair-permits.ts';
import type { FinanceImport } from '../../src/platform/finance/finance-client.ts';
import { inTenantTurns } from '../../src/push/finance-turns.ts';
import type { FinanceImporter } from '../../src/push/invoice-pusher.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A finance that answers each call only when told to, in any order: which calls it holds now. */
function heldFinance() {
  const open: { tenant: string; answer: () => void }[] = [];
  const finance: FinanceImporter = {
    importInvoice: (push: FinanceImport) =>
      new Promise((resolve) => {
        open.push({
          tenant: push.tenantId,
          answer: () => resolve({ action: 'created', financeInvoiceId: `fin-${push.idempotencyKey}` }),
        });
      }),
  };
  return { finance, open };
}

const importOf = (tenantId: string, n: number, signal?: AbortSignal): FinanceImport => ({
  body: '{}',
  tenantId,
  idempotencyKey: `${tenantId}:do:${n}:sha`,
  ...(signal ? { signal } : {}),
});

describe('finance calls in tenant turns', () => {
  it('sends a later tenant’s call before the rest of a flood waiting for finance, within the turns', async () => {
    const { finance, open } = heldFinance();
    const turns = new FairPermits(2);
    const fair = inTenantTurns(finance, turns);
    const flood = Array.from({ length: 6 }, (_, n) => fair.importInvoice(importOf('acme', n)));
    await settle();
    expect(open.map((call) => call.tenant)).toEqual(['acme', 'acme']);
    const quiet = fair.importInvoice(importOf('globex', 0));
    open.shift()?.answer();
    await settle();
    expect(open.map((call) => call.tenant)).toEqual(['acme', 'globex']);
    await expect(
      (async () => {
        while (open.length > 0) {
          open.shift()?.answer();
          await settle();
        }
        return Promise.all([quiet, ...flood]);
      })(),
    ).resolves.toHaveLength(7);
  });

  it('gives the turn back when the call fails, and lets a call whose push was stopped go without one', async () => {
    const turns = new FairPermits(1);
    const failing = inTenantTurns({ importInvoice: async () => Promise.reject(new Error('refused')) }, turns);
    await expect(failing.importInvoice(importOf('acme', 1))).rejects.toThrow('refused');
    const { finance, open } = heldFinance();
    const fair = inTenantTurns(finance, turns);
    const first = fair.importInvoice(importOf('acme', 2));
    await settle();
    expect(open).toHaveLength(1); // the failed call's turn came back
    const stop = new AbortController();
    const stopped = fair.importInvoice(importOf('globex', 1, stop.signal));
    await settle();
    expect(open).toHaveLength(1);
    stop.abort();
    await settle();
    expect(open.map((call) => call.tenant)).toEqual(['acme', 'globex']);
    for (const call of open) call.answer();
    await Promise.all([first, stopped]);
  });
});
