import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { heapSizedBy } from './heap-sizing.ts';

/** What V8 sized its heap from: the memory limit of the process's container (cgroup) or the host. */
export interface MemoryBudget {
  v8_heap_limit_mib: number;
  /** The container's memory limit, or 'none' when the process may use the host's memory. */
  memory_limit_mib: number | 'none';
  host_memory_mib: number;
  /** Who chose the heap: SERVICE_HEAP_MIB, the operator's node arguments, the memory limit, or the host's memory. */
  heap_sized_by: ReturnType<typeof heapSizedBy>;
}

const MIB = 2 ** 20;

/**
 * Node sizes V8's heap from a cgroup memory limit when one applies (process.constrainedMemory()
 * answers 0 or more than the host has when none does), and from the host's memory otherwise.
 */
export function memoryBudget(
  constrained = process.constrainedMemory(),
  host = totalmem(),
  heapLimit = getHeapStatistics().heap_size_limit,
): MemoryBudget {
  const limited = constrained > 0 && constrained < host;
  return {
    v8_heap_limit_mib: Math.round(heapLimit / MIB),
    memory_limit_mib: limited ? Math.round(constrained / MIB) : 'none',
    host_memory_mib: Math.round(host / MIB),
    heap_sized_by: heapSizedBy(limited),
  };
}
