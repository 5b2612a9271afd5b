// Memory figures of a process, read from /proc/<pid>/status (Linux) while it still runs.
import { readFileSync } from 'node:fs';

/** A kB figure of `pid`'s status in bytes; undefined once the process has ended (or off Linux). */
export function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return line === undefined ? undefined : Number(line.split(/\s+/)[1]) * 1024;
  } catch {
    return undefined; // the process has just ended
  }
}

/** VmHWM of `pid` in bytes: the most resident memory it has held. */
export function peakRss(pid: number): number | undefined {
  return statusBytes(pid, 'VmHWM');
}
