// Every test names its topics `t<8 hex>.…` (test/helpers/test-config.ts). A run deletes the ones it
// created when it ends, so a broker shared by many runs does not pile up thousands of partitions.
import { type Admin, Kafka, logLevel } from 'kafkajs';
// kafkajs's idle queue timer otherwise arms with a negative delay (Node's TimeoutNegativeWarning).
import '../../src/platform/kafka/request-queue-patch.ts';

const TEST_TOPIC = /^t[0-9a-f]{8}\./;

export interface TestTopicSweep {
  /** Deletes the test topics that did not exist when the sweep began; returns how many. */
  deleteCreatedSince(): Promise<number>;
}

export async function beginTestTopicSweep(brokers: string): Promise<TestTopicSweep> {
  const kafka = new Kafka({
    clientId: 'test-topic-sweep',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const existing = new Set(await withAdmin(kafka, listTestTopics));
  return {
    deleteCreatedSince: () =>
      withAdmin(kafka, async (admin) => {
        const created = (await listTestTopics(admin)).filter((topic) => !existing.has(topic));
        for (let start = 0; start < created.length; start += 100) {
          await admin.deleteTopics({ topics: created.slice(start, start + 100), timeout: 30_000 });
        }
        return created.length;
      }),
  };
}

async function listTestTopics(admin: Admin): Promise<string[]> {
  return (await admin.listTopics()).filter((topic) => TEST_TOPIC.test(topic));
}

async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}
