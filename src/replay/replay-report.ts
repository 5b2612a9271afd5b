import { daysToIsoDate } from '../invoice/calendar-date.ts';
import type { InvoiceLinesIngested } from '../invoice/invoice-events.ts';
import type { PartitionRange } from '../platform/kafka/offset-range.ts';
import { type StoppedEarly, stoppedEarlyText } from '../platform/kafka/read-budget.ts';
import type {
  ListedInvoice,
  ProgressEvent,
  ProgressFigures,
  RecordAt,
  ReplaySummary,
} from './replay-events.ts';

export function emptySummary(dryRun: boolean): ReplaySummary {
  return {
    read: 0,
    selected: 0,
    pushed: 0,
    created: 0,
    updated: 0,
    dead_lettered: 0,
    superseded: 0,
    skipped: 0,
    dry_run: dryRun,
    interrupted: false,
  };
}

type At = RecordAt;

/** What the replay is about to read; partitions with nothing in range are left out. */
export function rangeLine(topic: string, ranges: PartitionRange[]): string {
  const parts = ranges.filter((r) => r.start < r.end).map((r) => `${r.partition}:${r.start}..${r.end - 1n}`);
  return `replay ${topic}: ${parts.length > 0 ? `offsets ${parts.join(', ')}` : 'nothing in range'}`;
}

/** What the dry run lists of an event: its identity and figures. */
export function listedInvoice(event: InvoiceLinesIngested): ListedInvoice {
  return {
    event_id: event.event_id,
    period: daysToIsoDate(event.invoice_period),
    currency: event.currency,
    total_minor: event.total_minor,
    lines: event.lines.length,
  };
}

/** One dry-run line: coordinates, key, and the event's identity and figures. */
export function dryRunLine(at: At, invoice: ListedInvoice): string {
  return `${at.partition}:${at.offset}  ${at.key ?? '(no key)'}  ${invoice.event_id}  ${invoice.period}  ${invoice.currency} ${invoice.total_minor}  ${invoice.lines} lines`;
}

/** A dry-run line for a record a real replay would dead-letter. */
export function dryRunRejectLine(at: At, reason: string): string {
  return `${at.partition}:${at.offset}  ${at.key ?? '(no key)'}  would be dead-lettered: ${reason}`;
}

/** A record not pushed because a newer version of its invoice follows in the topic. */
export function supersededLine(at: At, newerOffset: bigint): string {
  return `${at.partition}:${at.offset}  ${at.key ?? '(no key)'}  superseded by offset ${newerOffset} of the same key: not pushed, so finance ends on the newest version (--include-superseded pushes it anyway)`;
}

/** Said when the read limits ended the listing before the end of its range. */
export function stoppedEarlyLine(stopped: StoppedEarly): string {
  return `replay: ${stoppedEarlyText(stopped)}; the rest of the range is not listed`;
}

/** Said when the read limits ended the newest-version pass: later versions beyond it are unknown. */
export function indexStoppedEarlyLine(stopped: StoppedEarly): string {
  return `replay: the check for newer versions ${stoppedEarlyText(stopped)}; a record listed may still be superseded by a later one`;
}

export function deadLetteredLine(at: At, reason: string): string {
  return `${at.partition}:${at.offset}  ${at.key || '(no key)'}  dead-lettered: ${reason}`;
}

/** The counts a progress line shows. */
type Counts = Pick<ReplaySummary, 'pushed' | 'superseded' | 'dead_lettered'>;

function eta(f: ProgressFigures): string {
  if (f.rate <= 0 || f.done >= f.total) return '--';
  const seconds = Math.ceil((f.total - f.done) / f.rate);
  return seconds >= 60
    ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
    : `${seconds}s`;
}

/** The periodic line of a run whose output is not a terminal (or --json). */
export function progressLine(summary: Counts, f: ProgressFigures): string {
  return `replay: ${f.done}/${f.total} done, ${f.rate.toFixed(0)}/s, ETA ${eta(f)}; ${summary.pushed} pushed, ${summary.superseded} superseded, ${summary.dead_lettered} dead-lettered`;
}

const BAR_WIDTH = 30;

/** The one-line bar redrawn in place on a terminal. */
export function progressBar(summary: Counts, f: ProgressFigures): string {
  const share = f.total === 0 ? 1 : Math.min(1, f.done / f.total);
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
  return `[${bar}] ${f.done}/${f.total} ${(share * 100).toFixed(0)}% ${f.rate.toFixed(0)}/s ETA ${eta(f)} | pushed ${summary.pushed} superseded ${summary.superseded} dead-lettered ${summary.dead_lettered}`;
}

export function formatReplaySummary(s: ReplaySummary): string {
  if (s.dry_run) return `replay (dry run): ${s.selected} selected of ${s.read} read, nothing pushed`;
  return [
    `replay: ${s.selected} selected of ${s.read} read`,
    `  pushed ${s.pushed} (created ${s.created}, updated ${s.updated}), superseded ${s.superseded}, dead-lettered ${s.dead_lettered}, skipped ${s.skipped}`,
  ].join('\n');
}

export interface ProgressOptions {
  everyRecords?: number;
  everyMs?: number;
  now?: () => number;
}

/**
 * A progress event every `everyRecords` records or `everyMs`, whichever comes first, so a long run
 * shows it is alive without flooding a short one (a terminal's bar asks for 100 ms).
 */
export function progressTicker(
  emit: (event: ProgressEvent) => void,
  total: number,
  { everyRecords = 500, everyMs = 2_000, now = Date.now }: ProgressOptions = {},
): { tick(summary: Counts, done: number): void; figures(done: number): ProgressFigures } {
  const startedAt = now();
  let last = startedAt;
  let since = 0;
  const figures = (done: number) => ({ done, total, rate: (done * 1000) / Math.max(1, now() - startedAt) });
  return {
    tick({ pushed, superseded, dead_lettered }, done) {
      since += 1;
      if (since < everyRecords && now() - last < everyMs) return;
      emit({ type: 'progress', ...figures(done), pushed, superseded, dead_lettered });
      since = 0;
      last = now();
    },
    figures,
  };
}
