// What bench/service-trace.ts saw, for the slowest of the traced invoices: the time each spent between
// stages of the push, and the event-loop stalls and collections inside its wait.
import { readFileSync } from 'node:fs';
import type { ServiceTrace } from './service-trace.ts';
import { STAGES } from './stage-trace.ts';

/** The trace bench/service-trace.ts wrote. */
export function readTrace(file: string): ServiceTrace {
  return JSON.parse(readFileSync(file, 'utf8')) as ServiceTrace;
}

/**
 * One line per invoice of `keys`: ms from publish to each stage, then the stalls and collections it
 * overlapped; `from` (ms since the epoch, NaN for the first traced invoice) is where publishing times count from.
 */
export function traceLines(trace: ServiceTrace, keys: string[], from: number): string[] {
  // With no flood: from the first traced invoice's publishing.
  const origin = Number.isNaN(from) ? Math.min(...Object.values(trace.published)) : from;
  return keys.flatMap((key) => {
    const publishedAt = trace.published[key];
    const stamps = trace.stamps[key];
    if (publishedAt === undefined || !stamps) return [];
    const end = stamps.announced ?? publishedAt;
    let previous = publishedAt;
    const stages = STAGES.filter((stage) => stage !== 'batchDone' && stamps[stage] !== undefined).map(
      (stage) => {
        const at = stamps[stage] as number;
        const step = `${stage} +${at - previous}`;
        previous = at;
        return step;
      },
    );
    const inside = (at: number, ms: number) => at + ms >= publishedAt && at <= end;
    const stalls = trace.stalls.filter((s) => inside(s.at, s.ms)).map((s) => `${s.ms}`);
    const collections = trace.collections.filter((c) => inside(c.at, c.ms)).map((c) => `${c.kind} ${c.ms}`);
    return [
      `${end - publishedAt} ms, published at ${((publishedAt - origin) / 1000).toFixed(2)} s: ${stages.join(', ')}; loop stalls (ms) [${stalls.join(', ')}]; collections (ms) [${collections.join(', ')}]`,
    ];
  });
}
