import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { deleteThrowawayGroup } from '../../../src/platform/kafka/throwaway-group.ts';
import { eventually } from '../../helpers/eventually.ts';
import { createTopics, testKafka } from '../../helpers/kafka.ts';
import { logCapture } from '../../helpers/service.ts';

async function groupExists(groupId: string): Promise<boolean> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return (await admin.listGroups()).groups.some((g) => g.groupId === groupId);
  } finally {
    await admin.disconnect();
  }
}

/** A consumer that has joined `groupId` and stays a member until the test disconnects it. */
async function joinedMember(groupId: string) {
  const topic = `throwaway-${randomUUID()}`;
  await createTopics(testKafka(), [{ topic }]);
  const consumer = testKafka().consumer({ groupId, sessionTimeout: 10_000 });
  const joined = Promise.withResolvers<void>();
  consumer.on(consumer.events.GROUP_JOIN, () => joined.resolve());
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async () => undefined });
  await joined.promise;
  return consumer;
}

describe('throwaway groups: deleted after a one-shot read, a warning when they cannot be', () => {
  it('waits out a member the broker still counts, warns naming the group, and deletes it once empty', async () => {
    const groupId = `test-throwaway-${randomUUID()}`;
    const member = await joinedMember(groupId);
    const { lines, logger } = logCapture();

    const refused = await deleteThrowawayGroup(testKafka(), groupId, logger, {
      patienceMs: 600,
      retryMs: 100,
    });

    expect(refused).toBe(false);
    expect(await groupExists(groupId)).toBe(true);
    const warning = lines.map((line) => JSON.parse(line)).find((entry) => entry.group === groupId);
    expect(warning).toMatchObject({
      level: 'warn',
      msg: 'read: could not delete its throwaway consumer group; delete it with kafka-consumer-groups --delete',
    });
    expect(JSON.stringify(warning.err)).toContain('NON_EMPTY_GROUP');

    await member.disconnect(); // LeaveGroup: the group is empty now
    expect(await deleteThrowawayGroup(testKafka(), groupId, logger)).toBe(true);
    await eventually(async () => ((await groupExists(groupId)) ? undefined : true), {
      what: `${groupId} to be gone from the group list`,
    });
  });

  it('a group that was never created (a read stopped before joining) counts as deleted, silently', async () => {
    const { lines, logger } = logCapture();
    expect(await deleteThrowawayGroup(testKafka(), `test-never-${randomUUID()}`, logger)).toBe(true);
    expect(lines).toEqual([]);
  });
});
