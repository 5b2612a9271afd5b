import { runReplay } from '../replay/replay.ts';
import type { ReplayEvent } from '../replay/replay-events.ts';
import { recordLine, replayLines } from '../replay/replay-output.ts';
import type { Infrastructure } from '../service/infrastructure.ts';
import type { ReplayPreview, ReplayRunner, ReplaySelection } from './replay-jobs.ts';

const PROGRESS = { everyRecords: 50, everyMs: 1_000 }; // an event a second at most, for the page

/**
 * The console's replay, through the replay engine itself: the page's choices become its options,
 * its events become the preview and the progress. The one place that knows the engine's shape;
 * re-point it here when it changes. A preview runs per request, so it reads within
 * OPS_READ_MAX_RECORDS and OPS_READ_TIMEOUT_MS and says when they cut it short; a replay started
 * from the page reads its whole range, like the command.
 */
export function replayRunner(infra: Infrastructure): ReplayRunner {
  return {
    async preview(selection, maxRows) {
      const preview = previewOf(maxRows);
      const { maxRecords, timeoutMs } = infra.config.console.reads;
      const options = { ...replayOptions(selection, true), limits: { maxRecords, timeoutMs } };
      const { stopped_early: stoppedEarly, ...totals } = await runReplay(infra, options, preview.tell);
      return { ...preview.result, totals, ...(stoppedEarly ? { stoppedEarly } : {}) };
    },
    async run(selection, onEvent, signal) {
      return { ...(await runReplay(infra, { ...replayOptions(selection, false), signal }, onEvent)) };
    },
  };
}

function replayOptions(selection: ReplaySelection, dryRun: boolean) {
  return { ...selection, dryRun, progress: PROGRESS };
}

/** The dry run's events as the preview: its listing (the first `maxRows`), and its notes on the range. */
function previewOf(maxRows: number) {
  const result: Omit<ReplayPreview, 'totals'> = { rows: [], more: 0, notes: [] };
  const tell = (event: ReplayEvent) => {
    if (event.type === 'record') {
      const line = recordLine(event);
      if (line === undefined) return;
      if (result.rows.length < maxRows) result.rows.push(line);
      else result.more += 1;
    } else if (event.type === 'range' || (event.type === 'stopped-early' && event.pass === 'index')) {
      // The range pass stopping early is the page's own notice (`stoppedEarly`), not a note.
      result.notes.push(...replayLines(event).map((line) => line.text));
    }
  };
  return { result, tell };
}
