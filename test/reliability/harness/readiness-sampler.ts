import { onTestFinished } from 'vitest';
import type { Fleet } from './fleet.ts';

const SAMPLE_EVERY_MS = 250;
// /readyz waits up to 2 s for each probe by design; more than 5 s is a process not answering.
const ANSWER_WITHIN_MS = 5_000;

export type SampleStatus = 200 | 503 | 'unreachable';

export interface ReadinessSample {
  at: number;
  phase: string;
  instance: string;
  status: SampleStatus;
  /** Why it was not ready, in a few words (from the /readyz JSON). */
  reason: string | undefined;
  /** The same, in full. */
  detail: string | undefined;
}

export interface PhaseSummary {
  phase: string;
  /** How long the phase lasted (ms). */
  ms: number;
  ok: number;
  notReady: number;
  unreachable: number;
  /** The distinct reasons given while not ready, most frequent first (at most three). */
  reasons: string[];
  /** The whole text of the first sample of each of those reasons. */
  examples: string[];
}

/**
 * GET /readyz of every live instance every 250 ms for the whole scenario. The scenario names the
 * phases it goes through (`steady`, `broker down`, …) so the record says what readiness reported
 * during each fault.
 */
export class ReadinessSampler {
  readonly samples: ReadinessSample[] = [];
  readonly #fleet: Fleet;
  readonly #phases: { phase: string; from: number }[] = [];
  readonly #timer: NodeJS.Timeout;
  /** Instances whose last sample has not answered yet. */
  readonly #waiting = new Set<string>();

  constructor(fleet: Fleet, firstPhase = 'start') {
    this.#fleet = fleet;
    this.phase(firstPhase);
    this.#timer = setInterval(() => this.#sampleAll(), SAMPLE_EVERY_MS);
    onTestFinished(() => this.stop());
  }

  /** From now on, samples belong to `name`. */
  phase(name: string): void {
    this.#phases.push({ phase: name, from: Date.now() });
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Samples of one phase, leaving out its first `graceMs` (how long a probe may take to notice). */
  during(phase: string, graceMs = 0): ReadinessSample[] {
    const starts = this.#phases.filter((p) => p.phase === phase).map((p) => p.from);
    return this.samples.filter(
      (sample) => sample.phase === phase && starts.some((from) => sample.at >= from + graceMs),
    );
  }

  summary(): PhaseSummary[] {
    const names = [...new Set(this.#phases.map((p) => p.phase))];
    return names.map((phase) => {
      const samples = this.samples.filter((s) => s.phase === phase);
      const count = (status: SampleStatus) => samples.filter((s) => s.status === status).length;
      return {
        phase,
        ms: this.#phaseMs(phase),
        ok: count(200),
        notReady: count(503),
        unreachable: count('unreachable'),
        reasons: topReasons(samples),
        examples: examplesOf(samples),
      };
    });
  }

  #phaseMs(phase: string): number {
    let total = 0;
    this.#phases.forEach((p, i) => {
      if (p.phase === phase) total += (this.#phases[i + 1]?.from ?? Date.now()) - p.from;
    });
    return total;
  }

  #sampleAll(): void {
    for (const service of this.#fleet.live()) {
      // A loaded machine may answer slowly: never pile one instance's samples up behind each other.
      if (service.opsUrl === undefined || this.#waiting.has(service.name)) continue;
      this.#waiting.add(service.name);
      sample(service.opsUrl)
        .then(({ status, reason, detail }) => {
          // The phase when the answer came: that is the moment the answer describes.
          const phase = this.#phases.at(-1)?.phase ?? 'start';
          this.samples.push({ at: Date.now(), phase, instance: service.name, status, reason, detail });
        })
        .finally(() => this.#waiting.delete(service.name));
    }
  }
}

type Sampled = Pick<ReadinessSample, 'status' | 'reason' | 'detail'>;

async function sample(opsUrl: string): Promise<Sampled> {
  try {
    const response = await fetch(`${opsUrl}/readyz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    const body = (await response.json()) as ReadyzBody;
    if (response.status === 200) return { status: 200, reason: undefined, detail: undefined };
    const detail = notReadyReason(body);
    return { status: 503, reason: shorten(detail), detail };
  } catch (error) {
    return { status: 'unreachable', reason: undefined, detail: (error as Error).message };
  }
}

interface ReadyzBody {
  kafka?: { ok: boolean; error?: string };
  database?: { ok: boolean; error?: string };
  registry?: { ok: boolean; error?: string };
  consumers?: { name: string; joined: boolean; systemicFailure?: string }[];
}

/** The first thing /readyz blames, shortened so that samples of one cause read alike. */
function notReadyReason(body: ReadyzBody): string {
  for (const probe of ['kafka', 'database', 'registry'] as const) {
    const result = body[probe];
    if (result && !result.ok) return `${probe}: ${result.error ?? 'failed'}`;
  }
  for (const consumer of body.consumers ?? []) {
    if (consumer.systemicFailure) return `${consumer.name}: ${consumer.systemicFailure}`;
    if (!consumer.joined) return `${consumer.name}: not joined to its group`;
  }
  return 'not ready';
}

/** `component: what failed`, without the details that differ from one sample to the next. */
function shorten(text: string): string {
  const [component, what] = text.split(': ');
  const firstClause = `${component}: ${what?.split(' (')[0]?.trim() ?? ''}`;
  return firstClause.length > 80 ? `${firstClause.slice(0, 77)}...` : firstClause;
}

function topReasons(samples: ReadinessSample[]): string[] {
  const counts = new Map<string, number>();
  for (const { reason } of samples) if (reason) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([reason, n]) => `${reason} (${n})`);
}

function examplesOf(samples: ReadinessSample[]): string[] {
  const seen = new Map<string, string>();
  for (const { reason, detail } of samples)
    if (reason && !seen.has(reason)) seen.set(reason, (detail ?? '').slice(0, 300));
  return [...seen.values()].slice(0, 3);
}
