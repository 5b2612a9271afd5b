import type { ImportAction } from './invoice-store.ts';

/**
 * What tests observe about the import endpoint: answers by status, dropped connections, requests in
 * flight (arrival until the answer is written, latency included) and their maximum, answers given
 * again for a repeated `Idempotency-Key`, and an ordered log of accepted imports (a replayed answer
 * applies nothing, so it is counted but not logged). Admin endpoints are not counted.
 */
export interface FinanceStats {
  /** Import requests that arrived. */
  requests: number;
  /** Answers by HTTP status, e.g. `{ "201": 1, "503": 2 }`. */
  byStatus: Record<string, number>;
  /** Connections dropped by an outage in `drop` mode. */
  dropped: number;
  inFlight: number;
  maxInFlight: number;
  /** Requests answered with the stored answer of a repeated `Idempotency-Key` (also in `byStatus`). */
  idempotentReplays: number;
}

export interface AcceptedImport {
  /** 1, 2, 3... in the order the store applied the imports. */
  sequence: number;
  tenant_id: string;
  source: string;
  external_id: string;
  action: ImportAction;
  invoice_id: string;
  /** Hex sha256 of the exact request body bytes. */
  body_sha256: string;
  /** The request's `Idempotency-Key` header, null when absent. */
  idempotency_key: string | null;
  /** The request's W3C `traceparent` and `tracestate` headers (a traced client's), null when absent. */
  traceparent: string | null;
  tracestate: string | null;
  /** Epoch milliseconds (sub-millisecond precision) when the request arrived. */
  arrivedAtMs: number;
  /** Epoch milliseconds when the answer was written. */
  finishedAtMs: number;
}

export class ImportStats {
  #stats: FinanceStats = emptyStats(0);
  #accepted: AcceptedImport[] = [];

  arrived(): void {
    this.#stats.requests += 1;
    this.#stats.inFlight += 1;
    this.#stats.maxInFlight = Math.max(this.#stats.maxInFlight, this.#stats.inFlight);
  }

  /** Called once per arrived request, when its answer is written or its connection dropped. */
  finished(outcome: { status: number } | 'dropped'): void {
    this.#stats.inFlight -= 1;
    if (outcome === 'dropped') {
      this.#stats.dropped += 1;
      return;
    }
    const key = String(outcome.status);
    this.#stats.byStatus[key] = (this.#stats.byStatus[key] ?? 0) + 1;
  }

  /** A repeated `Idempotency-Key` was answered from the store: nothing applied. */
  replayed(): void {
    this.#stats.idempotentReplays += 1;
  }

  accepted(entry: Omit<AcceptedImport, 'sequence'>): void {
    this.#accepted.push({ sequence: this.#accepted.length + 1, ...entry });
  }

  stats(): FinanceStats {
    return structuredClone(this.#stats);
  }

  imports(): AcceptedImport[] {
    return this.#accepted.map((entry) => ({ ...entry }));
  }

  /** Zeroes the counters; requests still in flight stay counted so `inFlight` never goes negative. */
  resetStats(): void {
    this.#stats = emptyStats(this.#stats.inFlight);
  }

  /** Counters and the import log. */
  resetAll(): void {
    this.resetStats();
    this.#accepted = [];
  }
}

function emptyStats(inFlight: number): FinanceStats {
  return { requests: 0, byStatus: {}, dropped: 0, inFlight, maxInFlight: inFlight, idempotentReplays: 0 };
}
