import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../ops/logger.ts';

export interface DeleteGroupOptions {
  /** How long to keep asking while the broker still counts a member (ms). */
  patienceMs?: number;
  /** Pause between attempts (ms). */
  retryMs?: number;
}

const PATIENCE_MS = 5_000; // a clean LeaveGroup empties the group at once; this covers a lost one's hand-over
const RETRY_MS = 200;

/** Kafka's answers to DeleteGroups that mean "not yet": the group still has a member, or is moving. */
const NOT_YET = new Set(['NON_EMPTY_GROUP', 'COORDINATOR_LOAD_IN_PROGRESS', 'NOT_COORDINATOR']);

/**
 * Deletes a group a one-shot read made for itself, after its consumer disconnected. kafkajs has no
 * group-less consumer (no `assign()`: tulios/kafkajs#373), so every read joins a group of its own;
 * without this, each replay, `dlq list` or console search would leave one behind on the broker,
 * crowding `kafka-consumer-groups --list` and any tool that watches groups.
 *
 * The disconnect sends LeaveGroup, so the group is normally empty at once; if the broker still
 * counts the member (a LeaveGroup lost on a broken connection), it answers NON_EMPTY_GROUP until
 * the session times out, and this asks again for up to `patienceMs`. Never throws: a group that
 * could not be deleted is a warning naming it (`kafka-consumer-groups --delete --group <id>`
 * removes it), not a failed read. Returns whether the group is gone.
 */
export async function deleteThrowawayGroup(
  kafka: Kafka,
  groupId: string,
  log: Logger,
  options: DeleteGroupOptions = {},
): Promise<boolean> {
  const deadline = Date.now() + (options.patienceMs ?? PATIENCE_MS);
  const admin = kafka.admin({ retry: { retries: 2 } });
  let lastError: unknown;
  try {
    await admin.connect();
    for (;;) {
      const outcome = await deleteOnce(admin, groupId);
      if (outcome === 'deleted') return true;
      lastError = outcome;
      if (!isNotYet(outcome) || Date.now() + (options.retryMs ?? RETRY_MS) > deadline) break;
      await sleep(options.retryMs ?? RETRY_MS);
    }
  } catch (error) {
    lastError = error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  log.warn(
    { group: groupId, err: lastError },
    'read: could not delete its throwaway consumer group; delete it with kafka-consumer-groups --delete',
  );
  return false;
}

/** 'deleted' (or never created: a read that stopped before joining), else the group's error. */
async function deleteOnce(admin: ReturnType<Kafka['admin']>, groupId: string): Promise<'deleted' | unknown> {
  try {
    await admin.deleteGroups([groupId]);
    return 'deleted';
  } catch (error) {
    const type = groupErrorType(error);
    return type === 'GROUP_ID_NOT_FOUND' ? 'deleted' : error;
  }
}

/** kafkajs reports per-group failures in `groups[].error` of a KafkaJSDeleteGroupsError. */
function groupErrorType(error: unknown): string | undefined {
  const groups = (error as { groups?: { error?: { type?: string } }[] }).groups;
  return groups?.[0]?.error?.type ?? (error as { type?: string }).type;
}

function isNotYet(error: unknown): boolean {
  return NOT_YET.has(groupErrorType(error) ?? '');
}
