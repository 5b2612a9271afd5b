import type { PartitionRange } from '../adapters/kafka/offset-range.ts';
import { daysToIsoDate } from '../core/calendar-date.ts';
import type { InvoiceLinesIngested } from '../events/invoice-events.ts';

/** What a replay did. Field names are snake_case like the events, so the JSON reads the same. */
export interface ReplaySummary {
  /** Records read in the range. */
  read: number;
  /** Records read that match `--key` (all of them without a key filter). */
  selected: number;
  /** Records finance accepted: created + updated. */
  pushed: number;
  created: number;
  updated: number;
  /** Permanent failures sent to the dead-letter topic, as the consumer would. */
  dead_lettered: number;
  /** Records read but not pushed: not matching `--key`, or (never when forced) already held by finance. */
  skipped: number;
  dry_run: boolean;
}

export function emptySummary(dryRun: boolean): ReplaySummary {
  return {
    read: 0,
    selected: 0,
    pushed: 0,
    created: 0,
    updated: 0,
    dead_lettered: 0,
    skipped: 0,
    dry_run: dryRun,
  };
}

interface At {
  partition: number;
  offset: string;
  key: string | null;
}

/** What the replay is about to read; partitions with nothing in range are left out. */
export function rangeLine(topic: string, ranges: PartitionRange[]): string {
  const parts = ranges.filter((r) => r.start < r.end).map((r) => `${r.partition}:${r.start}..${r.end - 1n}`);
  return `replay ${topic}: ${parts.length > 0 ? `offsets ${parts.join(', ')}` : 'nothing in range'}`;
}

/** One dry-run line: coordinates, key, and the event's identity and figures. */
export function dryRunLine(at: At, event: InvoiceLinesIngested): string {
  const period = daysToIsoDate(event.invoice_period);
  return `${at.partition}:${at.offset}  ${at.key ?? '(no key)'}  ${event.event_id}  ${period}  ${event.currency} ${event.total_minor}  ${event.lines.length} lines`;
}

/** A dry-run line for a record a real replay would dead-letter. */
export function dryRunRejectLine(at: At, reason: string): string {
  return `${at.partition}:${at.offset}  ${at.key ?? '(no key)'}  would be dead-lettered: ${reason}`;
}

export function deadLetteredLine(at: At, reason: string): string {
  return `${at.partition}:${at.offset}  ${at.key || '(no key)'}  dead-lettered: ${reason}`;
}

export function progressLine(summary: ReplaySummary, at: { partition: number; offset: string }): string {
  return `replay: at ${at.partition}:${at.offset}, ${summary.read} read, ${summary.selected} selected, ${summary.pushed} pushed, ${summary.dead_lettered} dead-lettered`;
}

export function formatReplaySummary(s: ReplaySummary): string {
  if (s.dry_run) return `replay (dry run): ${s.selected} selected of ${s.read} read, nothing pushed`;
  return [
    `replay: ${s.selected} selected of ${s.read} read`,
    `  pushed ${s.pushed} (created ${s.created}, updated ${s.updated}), dead-lettered ${s.dead_lettered}, skipped ${s.skipped}`,
  ].join('\n');
}

export interface ProgressOptions {
  everyRecords?: number;
  everyMs?: number;
  now?: () => number;
}

/**
 * A progress line every `everyRecords` records or `everyMs`, whichever comes first, so a long run
 * shows it is alive without flooding a short one.
 */
export function progressTicker(
  write: (line: string) => void,
  { everyRecords = 500, everyMs = 2_000, now = Date.now }: ProgressOptions = {},
): (summary: ReplaySummary, at: { partition: number; offset: string }) => void {
  let last = now();
  let since = 0;
  return (summary, at) => {
    since += 1;
    if (since < everyRecords && now() - last < everyMs) return;
    write(progressLine(summary, at));
    since = 0;
    last = now();
  };
}
