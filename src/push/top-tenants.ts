/** The label of every tenant outside the top: one series for all of them. */
export const OTHER_TENANTS = 'other';

/**
 * Which tenants get labels of their own in the per-tenant metrics: the `top` busiest, the rest are
 * `other`, so the series stay bounded whatever the tenant count. Volumes are counted with the
 * Space-Saving algorithm (Metwally et al. 2005) in `top × 10` counters: a tenant counted out gives its
 * place to the next one, which starts from the smallest count, so a steady heavy tenant is always
 * found. The top is chosen again by `choose()` (at each scrape), not per event, so labels stay put
 * between scrapes.
 */
export class TopTenants {
  readonly #top: number;
  readonly #capacity: number;
  readonly #counts = new Map<string, number>();
  #labelled = new Set<string>();

  constructor(top: number) {
    this.#top = top;
    this.#capacity = top * 10;
  }

  count(tenant: string, events = 1): void {
    const known = this.#counts.get(tenant);
    if (known !== undefined || this.#counts.size < this.#capacity) {
      this.#counts.set(tenant, (known ?? 0) + events);
      return;
    }
    let smallest: [string, number] | undefined;
    for (const entry of this.#counts) if (!smallest || entry[1] < smallest[1]) smallest = entry;
    const [out, floor] = smallest as [string, number];
    this.#counts.delete(out);
    this.#counts.set(tenant, floor + events);
  }

  /** The label `tenant` is counted under now; while the top has room, a new tenant takes a place in it. */
  labelOf(tenant: string): string {
    if (!this.#labelled.has(tenant) && this.#labelled.size < this.#top) this.#labelled.add(tenant);
    return this.#labelled.has(tenant) ? tenant : OTHER_TENANTS;
  }

  /** Chooses the top again; returns the tenants that lost their own label (their series go). */
  choose(): string[] {
    const next = new Set(
      [...this.#counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, this.#top)
        .map(([tenant]) => tenant),
    );
    const dropped = [...this.#labelled].filter((tenant) => !next.has(tenant));
    this.#labelled = next;
    return dropped;
  }
}
