import { SyncError } from '../failures/errors.ts';
import { parseInvoiceKey } from '../invoice/invoice-key.ts';
import type { PushNote, PushObserver } from './push-observer.ts';

export interface PushFilter {
  tenant?: string;
  provider?: string;
  /** Exactly this invoice key. */
  key?: string;
}

/**
 * `{tenant_id}:{provider}:{provider_invoice_id}`, split at its first two colons (the invoice id may
 * itself hold ':'), when every part follows the identifier rules; else undefined.
 */
export function keyParts(key: string): { tenant: string; provider: string; invoiceId: string } | undefined {
  const identity = parseInvoiceKey(key);
  if (!identity) return undefined;
  return { tenant: identity.tenant_id, provider: identity.provider, invoiceId: identity.provider_invoice_id };
}

/**
 * The last `capacity` push outcomes of this process, newest first: a ring buffer, so memory stays
 * bounded whatever the throughput. It forgets everything on restart; the topics and cloud_invoices
 * are the durable record.
 */
export class RecentPushes implements PushObserver {
  readonly #capacity: number;
  readonly #notes: PushNote[] = [];
  #next = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new SyncError(
        'CONFIG_INVALID',
        `recent pushes: capacity must be a positive integer, got ${capacity}`,
      );
    }
    this.#capacity = capacity;
  }

  note(note: PushNote): void {
    if (this.#notes.length < this.#capacity) this.#notes.push(note);
    else this.#notes[this.#next] = note;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** Newest first, filtered. */
  list(filter: PushFilter = {}): PushNote[] {
    const newestFirst = [
      ...this.#notes.slice(0, this.#next).reverse(),
      ...this.#notes.slice(this.#next).reverse(),
    ];
    return newestFirst.filter((note) => matches(note.key, filter));
  }

  /** Tenants and providers seen, for the filter's choices. */
  facets(): { tenants: string[]; providers: string[] } {
    const tenants = new Set<string>();
    const providers = new Set<string>();
    for (const note of this.#notes) {
      const parts = keyParts(note.key);
      if (!parts) continue;
      tenants.add(parts.tenant);
      providers.add(parts.provider);
    }
    return { tenants: [...tenants].sort(), providers: [...providers].sort() };
  }
}

function matches(key: string, filter: PushFilter): boolean {
  if (filter.key !== undefined && key !== filter.key) return false;
  if (filter.tenant === undefined && filter.provider === undefined) return true;
  const parts = keyParts(key);
  if (filter.tenant !== undefined && parts?.tenant !== filter.tenant) return false;
  return filter.provider === undefined || parts?.provider === filter.provider;
}
