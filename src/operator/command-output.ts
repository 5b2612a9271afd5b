/** Where a one-shot command writes: results to `out`, progress and notes to `err`. Tests pass their own. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
  /** Present when progress can be redrawn in place (stderr is a terminal). */
  bar?(line: string): void;
}

let barShown = false;

export const processOutput: CommandOutput = {
  out: (line) => process.stdout.write(`${endBar()}${line}\n`),
  err: (line) => process.stderr.write(`${endBar()}${line}\n`),
  ...(process.stderr.isTTY
    ? {
        bar: (line: string) => {
          barShown = true;
          process.stderr.write(`\r${line}\u001b[K`);
        },
      }
    : {}),
};

/** A line printed after the bar starts on a fresh line, so the bar is not overwritten by it. */
function endBar(): string {
  if (!barShown) return '';
  barShown = false;
  process.stderr.write('\n');
  return '';
}
