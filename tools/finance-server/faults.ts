import { z } from 'zod';

/**
 * Switchable misbehaviour of the import endpoint, so the service's retry, pause and dead-letter
 * paths can be driven against a real HTTP server. Random faults draw from a seeded generator:
 * the same seed and the same request order give the same answers, so tests are not flaky.
 */
export interface FinanceFaults {
  /** Delay before every import answer, faults included. */
  latencyMs: number;
  /** Probability (0..1) of answering `errorStatus` instead of importing. */
  errorRate: number;
  errorStatus: number;
  /** Probability of answering 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit: { rate: number; retryAfterSeconds: number } | null;
  /** Until `untilEpochMs` (null: until cleared), answer 503 or drop the connection. */
  outage: { untilEpochMs: number | null; mode: 'unavailable' | 'drop' } | null;
  /** Answer the next `count` imports with `status`, before any random fault. */
  failNext: { count: number; status: number; retryAfterSeconds: number | null } | null;
  /** Above `max` imports in flight at once, answer 429 at once (a finance that sheds load). */
  concurrencyLimit: { max: number; retryAfterSeconds: number | null } | null;
  /** Tenants finance refuses to import for (403), even with their own valid token. */
  refuseTenants: string[];
  /**
   * External ids finance rejects as invalid (422), as a real finance does with an invoice its own
   * rules refuse (e.g. a closed accounting period): a 422 for one chosen invoice, the rest imported.
   */
  rejectInvoices: string[];
  seed: number;
}

const httpErrorStatus = z.int().min(400).max(599);
// failNext may also answer a 2xx without an import result: an unreadable success.
const failNextStatus = z.int().min(200).max(599);
const probability = z.number().min(0).max(1);

// Strict so that a typo such as `latency` fails loudly instead of silently doing nothing.
const faultsPatchSchema = z.strictObject({
  latencyMs: z.int().min(0).max(600_000).optional(), // at most ten minutes
  errorRate: probability.optional(),
  errorStatus: httpErrorStatus.optional(),
  rateLimit: z.strictObject({ rate: probability, retryAfterSeconds: z.int().min(0).default(1) }).nullish(),
  outage: z
    .strictObject({
      forMs: z.int().min(0).optional(),
      until: z.union([z.iso.datetime({ offset: true }), z.int().min(0)]).optional(),
      mode: z.enum(['unavailable', 'drop']).default('unavailable'),
    })
    .refine((outage) => outage.forMs === undefined || outage.until === undefined, {
      error: 'give forMs or until, not both',
    })
    .nullish(),
  failNext: z
    .strictObject({
      count: z.int().min(0).default(1),
      status: failNextStatus,
      retryAfterSeconds: z.int().min(0).optional(),
    })
    .nullish(),
  refuseTenants: z.array(z.string().min(1)).optional(),
  rejectInvoices: z.array(z.string().min(1)).optional(),
  concurrencyLimit: z
    .strictObject({ max: z.int().min(1), retryAfterSeconds: z.int().min(0).nullable().default(null) })
    .nullish(),
  seed: z.int().optional(),
});

/** What `setFaults` and `PUT /_admin/faults` accept; absent fields keep their value, null clears. */
export type FaultsPatch = z.input<typeof faultsPatchSchema>;

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'drop' }
  | { kind: 'answer'; status: number; body: unknown; headers: Record<string, string> };

export class FaultsPatchError extends Error {
  readonly fieldErrors: Record<string, string[]>;
  constructor(fieldErrors: Record<string, string[]>) {
    super(`invalid finance-server faults: ${JSON.stringify(fieldErrors)}`);
    this.name = 'FaultsPatchError';
    this.fieldErrors = fieldErrors;
  }
}

const DEFAULT_SEED = 1;

function noFaults(): FinanceFaults {
  return {
    latencyMs: 0,
    errorRate: 0,
    errorStatus: 503,
    rateLimit: null,
    outage: null,
    failNext: null,
    refuseTenants: [],
    rejectInvoices: [],
    concurrencyLimit: null,
    seed: DEFAULT_SEED,
  };
}

export class FaultInjector {
  #faults: FinanceFaults = noFaults();
  #random = seededRandom(DEFAULT_SEED);

  current(now: number): FinanceFaults {
    this.#expireOutage(now);
    return structuredClone(this.#faults);
  }

  /** Validates then merges the patch; throws FaultsPatchError and changes nothing when invalid. */
  apply(patch: unknown, now: number): FinanceFaults {
    const parsed = faultsPatchSchema.safeParse(patch);
    if (!parsed.success) {
      const errors: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path.join('.') || 'body';
        errors[field] = [...(errors[field] ?? []), issue.message];
      }
      throw new FaultsPatchError(errors);
    }
    const { rateLimit, outage, failNext, seed, concurrencyLimit, ...scalars } = parsed.data;
    const next: FinanceFaults = { ...this.#faults, ...definedOnly(scalars) };
    if (rateLimit !== undefined) next.rateLimit = rateLimit;
    if (concurrencyLimit !== undefined) next.concurrencyLimit = concurrencyLimit;
    if (outage !== undefined) next.outage = outage === null ? null : toOutage(outage, now);
    if (failNext !== undefined) {
      next.failNext =
        failNext === null ? null : { ...failNext, retryAfterSeconds: failNext.retryAfterSeconds ?? null };
    }
    if (seed !== undefined) {
      next.seed = seed;
      this.#random = seededRandom(seed);
    }
    this.#faults = next;
    return this.current(now);
  }

  reset(): void {
    this.#faults = noFaults();
    this.#random = seededRandom(DEFAULT_SEED);
  }

  get latencyMs(): number {
    return this.#faults.latencyMs;
  }

  /** The 429 to answer when `inFlight` imports (this one included) exceed the concurrency limit. */
  shedLoad(inFlight: number): FaultDecision {
    const limit = this.#faults.concurrencyLimit;
    if (limit === null || inFlight <= limit.max) return { kind: 'none' };
    return faultAnswer(429, `more than ${limit.max} imports in flight`, limit.retryAfterSeconds);
  }

  /** Whether imports for this tenant are refused (checked after the token, role and payload). */
  refusesTenant(tenantId: string): boolean {
    return this.#faults.refuseTenants.includes(tenantId);
  }

  /** Whether finance rejects this invoice (422), checked with the tenant after token and payload. */
  rejectsInvoice(externalId: string): boolean {
    return this.#faults.rejectInvoices.includes(externalId);
  }

  /** Decides the fate of one import request; consumes `failNext` and random draws. */
  decide(now: number): FaultDecision {
    this.#expireOutage(now);
    const { outage, failNext, rateLimit, errorRate, errorStatus } = this.#faults;
    if (outage !== null) {
      return outage.mode === 'drop' ? { kind: 'drop' } : faultAnswer(503, 'finance outage', null);
    }
    if (failNext !== null && failNext.count > 0) {
      failNext.count -= 1;
      const failure = faultAnswer(failNext.status, 'failNext', failNext.retryAfterSeconds);
      if (failNext.count === 0) this.#faults.failNext = null;
      return failure;
    }
    // Draw only for an active fault, so switching one on does not shift the other's sequence.
    if (rateLimit !== null && rateLimit.rate > 0 && this.#random() < rateLimit.rate) {
      return faultAnswer(429, 'rate limited', rateLimit.retryAfterSeconds);
    }
    if (errorRate > 0 && this.#random() < errorRate) return faultAnswer(errorStatus, 'errorRate', null);
    return { kind: 'none' };
  }

  #expireOutage(now: number): void {
    const until = this.#faults.outage?.untilEpochMs;
    if (until !== undefined && until !== null && now >= until) this.#faults.outage = null;
  }
}

function toOutage(
  outage: { forMs?: number | undefined; until?: string | number | undefined; mode: 'unavailable' | 'drop' },
  now: number,
): NonNullable<FinanceFaults['outage']> {
  let untilEpochMs: number | null = null;
  if (outage.forMs !== undefined) untilEpochMs = now + outage.forMs;
  else if (typeof outage.until === 'string') untilEpochMs = Date.parse(outage.until);
  else if (typeof outage.until === 'number') untilEpochMs = outage.until;
  return { untilEpochMs, mode: outage.mode };
}

// A 422 carries field errors like a real one, so a client's 422 handling sees the usual shape.
function faultAnswer(status: number, reason: string, retryAfterSeconds: number | null): FaultDecision {
  const message = `injected fault: ${reason}`;
  const body = status === 422 ? { errors: { body: [message] } } : { errors: { detail: message } };
  const headers: Record<string, string> =
    retryAfterSeconds === null ? {} : { 'retry-after': String(retryAfterSeconds) };
  return { kind: 'answer', status, body, headers };
}

function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** mulberry32: tiny, fast, and good enough to spread fault draws; not for anything secret. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
