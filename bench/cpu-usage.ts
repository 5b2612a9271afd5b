// CPU time from /proc, to say where a run's CPU went: the service's own share against the machine's.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far. */
function processSeconds(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Busy and total CPU seconds of the whole machine so far (all cores). */
function machineSeconds(): { busy: number; total: number } {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((sum, value) => sum + value, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/** Starts counting; `stop()` says what each process and the machine used meanwhile. */
export function cpuUsage(pids: Record<string, number | undefined>) {
  const read = () =>
    Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => {
        try {
          return [name, pid === undefined ? 0 : processSeconds(pid)];
        } catch {
          return [name, 0]; // not Linux, or the process is gone
        }
      }),
    );
  let machineBefore: ReturnType<typeof machineSeconds> | undefined;
  try {
    machineBefore = machineSeconds();
  } catch {
    machineBefore = undefined;
  }
  const before = read();
  return {
    stop: () => {
      const after = read();
      const seconds = Object.fromEntries(
        Object.keys(pids).map((name) => [name, (after[name] ?? 0) - (before[name] ?? 0)]),
      );
      if (!machineBefore) return { seconds, machineBusy: Number.NaN };
      const machine = machineSeconds();
      const machineBusy =
        (machine.busy - machineBefore.busy) / Math.max(1e-9, machine.total - machineBefore.total);
      return { seconds, machineBusy };
    },
  };
}
