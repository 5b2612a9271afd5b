// A memory limit for one benchmarked process, the way a container gets one (docker --memory, a
// Kubernetes pod's limits.memory): a child of this process's memory cgroup with a limit, which the
// process joins before Node starts. Node reads that limit at start (process.constrainedMemory()) and
// sizes V8's heap from it instead of from the host's memory; no V8 flag is involved.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError } from './bench-report.ts';

const MIB = 2 ** 20;

/** "512MiB", "256M", "1GiB", "none" → bytes, or undefined for none. */
export function parseMemoryLimit(text: string): number | undefined {
  if (text.trim().toLowerCase() === 'none') return undefined;
  const match = /^\s*(\d+)\s*(m|mi|mib|g|gi|gib)\s*$/i.exec(text);
  if (!match) {
    throw new BenchError(`BENCH_MEMORY_LIMITS: "${text}" is not a size such as 512MiB or 1GiB, nor none`);
  }
  const unit = (match[2] as string).toLowerCase().startsWith('g') ? 1024 * MIB : MIB;
  return Number(match[1]) * unit;
}

interface CgroupFiles {
  /** The directory of the cgroup this process is in. */
  own: string;
  /** The file that takes a limit in bytes. */
  limitFile: 'memory.limit_in_bytes' | 'memory.max';
}

/** This process's memory cgroup, v1 (a `memory` hierarchy) or v2 (the unified one), from /proc/self/cgroup. */
export function ownMemoryCgroup(
  procSelfCgroup: string,
  exists: (path: string) => boolean,
): CgroupFiles | undefined {
  const lines = procSelfCgroup.split('\n').filter(Boolean);
  const v1 = lines.map((l) => l.split(':')).find((f) => f[1]?.split(',').includes('memory'));
  if (v1) {
    return { own: join('/sys/fs/cgroup/memory', v1[2] ?? '/'), limitFile: 'memory.limit_in_bytes' };
  }
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (v2 && exists('/sys/fs/cgroup/cgroup.controllers')) {
    return { own: join('/sys/fs/cgroup', v2.slice(3)), limitFile: 'memory.max' };
  }
  return undefined;
}

export interface MemoryLimit {
  bytes: number;
  /** The command line that runs `argv` inside the limit. */
  wrap(argv: string[]): string[];
  remove(): void;
}

/** Creates a cgroup limited to `bytes`; fails in one line naming what is missing. */
export function createMemoryLimit(bytes: number, name: string): MemoryLimit {
  const found = ownMemoryCgroup(readFileSync('/proc/self/cgroup', 'utf8'), existsSync);
  const refuse = (why: string): never => {
    throw new BenchError(
      `bench:memory needs to create a memory cgroup for its container-like row (${why}); run it as root, or set BENCH_MEMORY_LIMITS=none`,
    );
  };
  if (!found) return refuse('no memory controller in /proc/self/cgroup');
  const dir = join(found.own, name);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, found.limitFile), String(bytes));
  } catch (error) {
    return refuse(`${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return {
    bytes,
    // The shell joins the cgroup, then becomes the process: Node is charged from its first page and
    // reads the limit when it sizes its heap.
    wrap: (argv) => ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', join(dir, 'cgroup.procs'), ...argv],
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // still busy for a moment after its process exited; the next run's name differs
      }
    },
  };
}
