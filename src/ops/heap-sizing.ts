import { totalmem } from 'node:os';

/**
 * The heap `start` gives itself. Node sizes V8's heap from the process's memory limit (a container's
 * cgroup) when one applies, and from the host's memory otherwise: 4 GiB of heap on a 24 GiB host, which
 * V8 then fills with garbage it has no reason to collect (440 MiB resident draining a backlog that
 * 50 MiB of live heap serves). With no limit and no heap argument of the operator's, the process starts
 * itself again in place (same pid, `process.execve`) with SERVICE_HEAP_MIB of old generation and a young
 * generation sized from it, so it stays near what a container limit would give it.
 */

/** Set in the environment of the process started again, so it never starts itself a second time. */
export const HEAP_SIZED_MARK = 'INVOICE_FINANCE_SYNC_HEAP_SIZED';

/** Node arguments an operator sizes V8's heap with; any of them means the operator chose. */
const HEAP_ARGUMENT =
  /--max-old-space-size|--max-semi-space-size|--max-heap-size|--max-young-generation-size/;

export interface HeapSituation {
  /** SERVICE_HEAP_MIB: 0 leaves Node's own sizing. */
  heapMib: number;
  /** process.constrainedMemory(): 0, or more than the host has, when no limit applies. */
  constrained: number;
  host: number;
  execArgv: readonly string[];
  nodeOptions: string;
  alreadySized: boolean;
}

/** The node arguments to start again with, or undefined when the heap is already someone's choice. */
export function heapArguments(situation: HeapSituation): string[] | undefined {
  const { heapMib, constrained, host, execArgv, nodeOptions, alreadySized } = situation;
  if (heapMib === 0 || alreadySized) return undefined;
  if (constrained > 0 && constrained < host) return undefined;
  if (HEAP_ARGUMENT.test(nodeOptions) || execArgv.some((argument) => HEAP_ARGUMENT.test(argument)))
    return undefined;
  return [`--max-old-space-size=${heapMib}`, `--max-semi-space-size=${semiSpaceMib(heapMib)}`];
}

/** Semi-spaces of 1/20 of the old generation, 2 to 16 MiB: records in flight die young, not in the old generation. */
function semiSpaceMib(heapMib: number): number {
  return Math.min(16, Math.max(2, Math.round(heapMib / 20)));
}

/**
 * Starts this process again in place with the service's heap when `heapArguments` asks for it; returns
 * (and the command goes on as it is) when it does not, or where Node cannot replace a process.
 */
export function sizeHeapInPlace(heapMib: number): void {
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never })
    .execve;
  if (typeof execve !== 'function') return;
  const nodeArguments = heapArguments({
    heapMib,
    constrained: process.constrainedMemory(),
    host: totalmem(),
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS ?? '',
    alreadySized: process.env[HEAP_SIZED_MARK] !== undefined,
  });
  if (nodeArguments === undefined) return;
  execve.call(
    process,
    process.execPath,
    [process.execPath, ...nodeArguments, ...process.execArgv, ...process.argv.slice(1)],
    { ...process.env, [HEAP_SIZED_MARK]: String(heapMib) },
  );
}

/** Who chose the heap of this process, for the `service started` log line. */
export function heapSizedBy(
  limited: boolean,
): 'SERVICE_HEAP_MIB' | 'memory limit' | 'node arguments' | 'host' {
  if (process.env[HEAP_SIZED_MARK] !== undefined && process.execArgv.some((a) => HEAP_ARGUMENT.test(a)))
    return 'SERVICE_HEAP_MIB';
  if (
    process.execArgv.some((a) => HEAP_ARGUMENT.test(a)) ||
    HEAP_ARGUMENT.test(process.env.NODE_OPTIONS ?? '')
  )
    return 'node arguments';
  return limited ? 'memory limit' : 'host';
}
