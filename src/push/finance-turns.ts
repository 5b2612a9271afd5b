import type { Permits } from '../consuming/fair-permits.ts';
import type { FinanceImporter } from './invoice-pusher.ts';

/**
 * Finance calls taken in the tenants' turn. `turns` holds as many slots as finance takes calls now (the
 * service sizes it to the finance client's adaptive limit): a call waits here, where the next free slot
 * goes to the tenant whose turn it is, and never in the finance client's own first-come queue, where
 * one tenant's calls would stand in front of another's. A push whose signal aborts stops waiting.
 */
export function inTenantTurns(finance: FinanceImporter, turns: Permits): FinanceImporter {
  return {
    importInvoice: async (push) => {
      const release = await turns.acquire(push.tenantId, push.signal);
      try {
        return await finance.importInvoice(push);
      } finally {
        release();
      }
    },
  };
}
