// A process's peak resident memory, read from /proc (Linux) while it still runs.
import { readFileSync } from 'node:fs';

/** VmHWM of `pid` in bytes: the most resident memory it has held; undefined once it has ended (or off Linux). */
export function peakRss(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    return line === undefined ? undefined : Number(line.split(/\s+/)[1]) * 1024;
  } catch {
    return undefined; // the process has just ended
  }
}
