import { Coalescer } from '../coalescer.ts';
import type { CloudInvoiceKey, CloudInvoiceRepository } from './cloud-invoice.repository.ts';

/**
 * The pusher asks, for every event, which payload finance last received for the invoice. Asked one
 * by one that is a database round trip per event; this gathers the questions asked within a
 * millisecond (many events are in flight at once) into one indexed query.
 */
export class PayloadShaLoader {
  readonly #coalescer: Coalescer<CloudInvoiceKey, string | undefined>;

  constructor(
    repository: Pick<CloudInvoiceRepository, 'recordedPayloadShas'>,
    options = { maxBatch: 200, lingerMs: 1 },
  ) {
    this.#coalescer = new Coalescer((keys) => repository.recordedPayloadShas(keys), options);
  }

  recordedPayloadSha(
    tenantId: string,
    provider: string,
    providerInvoiceId: string,
  ): Promise<string | undefined> {
    return this.#coalescer.submit({ tenantId, provider, providerInvoiceId });
  }
}
