/**
 * Which record of a key is its newest, for a replay that must never push an old version over a newer
 * one. Records of a key share a partition, so offsets compare within it. Only keys met inside the
 * replayed range are kept (memory grows with the range's distinct keys, not the topic's); records
 * after the range only move a known key's newest offset forward.
 */
export class NewestByKey {
  readonly #newest = new Map<string, bigint>();

  /** Notes a record; `inRange` is false for records read only to look past the range's end. */
  see(key: string | null, offset: bigint, inRange: boolean): void {
    if (key === null) return;
    const known = this.#newest.get(key);
    if (known === undefined ? inRange : offset > known) this.#newest.set(key, offset);
  }

  /** The newer offset of the same key that supersedes this record, if any. */
  supersededBy(key: string | null, offset: bigint): bigint | undefined {
    if (key === null) return undefined;
    const newest = this.#newest.get(key);
    return newest !== undefined && newest > offset ? newest : undefined;
  }

  get keys(): number {
    return this.#newest.size;
  }
}
