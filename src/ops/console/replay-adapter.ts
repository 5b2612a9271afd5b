import type { Infrastructure } from '../../app.ts';
import { replayCommand } from '../../commands/replay.ts';
import type { ReplayRunner, ReplaySelection } from './replay-jobs.ts';

const PROGRESS = { everyRecords: 50, everyMs: 1_000 }; // a line a second at most, for the page

/**
 * The console's replay, through the `replay` command itself: the page's choices become its
 * options, its printed lines become the preview and the progress. The one place that knows the
 * command's shape; re-point it here when the command changes.
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
      const totals = await replayCommand(infra, options(selection, true), {
        out,
        err: (line) => notes.push(line),
      });
      return { rows, more, notes, totals: { ...totals } };
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
