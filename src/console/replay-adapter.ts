import { replayCommand } from '../replay/replay.ts';
import { stoppedEarlyLine } from '../replay/replay-report.ts';
import type { Infrastructure } from '../service/infrastructure.ts';
import type { ReplayRunner, ReplaySelection } from './replay-jobs.ts';

const PROGRESS = { everyRecords: 50, everyMs: 1_000 }; // a line a second at most, for the page

/**
 * The console's replay, through the `replay` command itself: the page's choices become its
 * options, its printed lines become the preview and the progress. The one place that knows the
 * command's shape; re-point it here when the command changes. A preview runs per request, so it
 * reads within OPS_READ_MAX_RECORDS and OPS_READ_TIMEOUT_MS and says when they cut it short; a
 * replay started from the page reads its whole range, like the command.
 */
export function replayRunner(infra: Infrastructure): ReplayRunner {
  return {
    async preview(selection, maxRows) {
      const rows: string[] = [];
      const notes: string[] = [];
      let more = 0;
      const out = (line: string) => {
        if (isSummary(line)) return;
        if (rows.length < maxRows) rows.push(line);
        else more += 1;
      };
      const { maxRecords, timeoutMs } = infra.config.console.reads;
      const limits = { maxRecords, timeoutMs };
      const totals = await replayCommand(
        infra,
        { ...options(selection, true), limits },
        { out, err: (line) => notes.push(line) },
      );
      const { stopped_early: stoppedEarly, ...figures } = totals;
      if (!stoppedEarly) return { rows, more, notes, totals: figures };
      // The page says it from `stoppedEarly`; the command's own line for it would say it twice.
      const said = stoppedEarlyLine(stoppedEarly);
      return { rows, more, notes: notes.filter((line) => line !== said), totals: figures, stoppedEarly };
    },
    async run(selection, onProgress, signal) {
      const say = (line: string) => {
        if (!isSummary(line)) onProgress(line);
      };
      return {
        ...(await replayCommand(infra, { ...options(selection, false), signal }, { out: say, err: say })),
      };
    },
  };
}

function options(selection: ReplaySelection, dryRun: boolean) {
  // `json`: the command's closing summary is then one JSON line, told apart from listed records.
  return { ...selection, dryRun, json: true, progress: PROGRESS };
}

function isSummary(line: string): boolean {
  return line.startsWith('{');
}
