/**
 * The answers finance gave to `Idempotency-Key`s it has seen, so a repeated request gets the stored
 * answer instead of a second import (DESIGN.md, "Finance contract"; docs/finance-contract.md).
 *
 * A key is scoped to the tenant that presented it: another tenant's identical key is a different
 * request. A stored answer is replayed only for a byte-identical body: the service's key already
 * changes with the payload (it ends with the body's sha256), and a client that reuses a key for a
 * different body must not be told about an import that never saw that body.
 *
 * Bounded: at most `capacity` keys, the least recently used forgotten first. A forgotten key only
 * costs a real import again, which the (tenant_id, source, external_id) row key makes harmless.
 */
export interface StoredAnswer {
  status: number;
  body: unknown;
}

interface Entry extends StoredAnswer {
  bodySha256: string;
}

export const DEFAULT_IDEMPOTENCY_KEYS = 10_000; // a month of one tenant's cloud invoices, many times over

export class IdempotencyStore {
  readonly #capacity: number;
  // A Map iterates in insertion order: re-inserting on use keeps the oldest use first.
  readonly #entries = new Map<string, Entry>();

  constructor(capacity: number = DEFAULT_IDEMPOTENCY_KEYS) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `finance server: idempotency capacity must be a positive integer, got ${capacity}`,
      );
    }
    this.#capacity = capacity;
  }

  /** The stored answer for this tenant's key and body, or undefined when it must be processed. */
  recall(tenantId: string, key: string, bodySha256: string): StoredAnswer | undefined {
    const id = entryId(tenantId, key);
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.bodySha256 !== bodySha256) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return { status: entry.status, body: structuredClone(entry.body) };
  }

  remember(tenantId: string, key: string, bodySha256: string, answer: StoredAnswer): void {
    const id = entryId(tenantId, key);
    this.#entries.delete(id);
    this.#entries.set(id, { bodySha256, status: answer.status, body: structuredClone(answer.body) });
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}

function entryId(tenantId: string, key: string): string {
  return JSON.stringify([tenantId, key]);
}
