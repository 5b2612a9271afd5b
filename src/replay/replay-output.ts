import type { CommandOutput } from '../operator/command-output.ts';
import type { RecordEvent, ReplayEvent, ReplayObserver } from './replay-events.ts';
import {
  deadLetteredLine,
  dryRunLine,
  dryRunRejectLine,
  formatReplaySummary,
  indexStoppedEarlyLine,
  progressBar,
  progressLine,
  rangeLine,
  stoppedEarlyLine,
  supersededLine,
} from './replay-report.ts';

/** A line of text for a person: results (the listing, the summary) to `out`, the rest to `err`. */
export interface ReplayLine {
  to: 'out' | 'err';
  text: string;
}

/** An event as the lines a person reads, the same on a terminal and on the console's page. */
export function replayLines(event: ReplayEvent): ReplayLine[] {
  const err = (text: string): ReplayLine => ({ to: 'err', text });
  const out = (text: string): ReplayLine => ({ to: 'out', text });
  switch (event.type) {
    case 'range': {
      const ranges = event.partitions.map((p) => ({ ...p, start: BigInt(p.start), end: BigInt(p.end) }));
      return [err(rangeLine(event.topic, ranges))];
    }
    case 'stopped-early':
      return [err((event.pass === 'index' ? indexStoppedEarlyLine : stoppedEarlyLine)(event.stopped_early))];
    case 'record': {
      const line = recordLine(event);
      if (line === undefined) return [];
      return [event.outcome === 'listed' || event.outcome === 'would_dead_letter' ? out(line) : err(line)];
    }
    case 'progress':
      return [err(progressLine(event, event))];
    case 'finished':
      return [out(formatReplaySummary(event.summary))];
    case 'stopped':
      return event.cause === 'interrupted'
        ? [err(event.resume_hint), out(formatReplaySummary(event.summary))]
        : [err(formatReplaySummary(event.summary)), err(event.resume_hint)];
  }
}

/** The line a selected record gets; created, updated and skipped records are only counted. */
export function recordLine(event: RecordEvent): string | undefined {
  switch (event.outcome) {
    case 'listed':
      return dryRunLine(event, event.invoice);
    case 'would_dead_letter':
      return dryRunRejectLine(event, `${event.code}: ${event.reason}`);
    case 'dead_lettered':
      return deadLetteredLine(event, `${event.code}: ${event.reason}`);
    case 'superseded':
      return supersededLine(event, BigInt(event.superseded_by));
    default:
      return undefined;
  }
}

/**
 * The `replay` command's rendering. For a person: the listing and summary on stdout, notes and
 * progress on stderr (a bar redrawn in place on a terminal, else plain lines). With `--json`: every
 * event as one JSON object per line on stdout, nothing else.
 */
export function replayRenderer(output: CommandOutput, { json = false } = {}): ReplayObserver {
  if (json) return (event) => output.out(JSON.stringify(event));
  let dryRun = false;
  return (event) => {
    if (event.type === 'range') dryRun = event.dry_run;
    if (output.bar && event.type === 'progress') return output.bar(progressBar(event, event));
    if (output.bar && (event.type === 'finished' || event.type === 'stopped'))
      output.bar(progressBar(event.summary, event.progress));
    for (const line of replayLines(event)) {
      // A dry run lists superseded records with the rest; a run says them as notes.
      const listed = dryRun && event.type === 'record';
      (line.to === 'out' || listed ? output.out : output.err)(line.text);
    }
  };
}
