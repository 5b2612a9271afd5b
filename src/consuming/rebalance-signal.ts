/**
 * Group coordinator answers to a heartbeat that mean this member may lose its partitions: a rebalance
 * began, or the group no longer knows this member or generation. A network error or timeout says
 * nothing about ownership (the heartbeat is simply tried again), so it is not one of them.
 */
const REBALANCE_SIGNALS = new Set([
  'REBALANCE_IN_PROGRESS',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'FENCED_INSTANCE_ID',
]);

export function isRebalanceSignal(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && REBALANCE_SIGNALS.has(type);
}
