// Every test names its topics `t<8 hex>.…` (test/helpers/test-config.ts). A run deletes the ones it
// created when it ends, so a broker shared by many runs does not pile up thousands of partitions.
import { Kafka, logLevel } from 'kafkajs';

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
  const existing = new Set(await listTestTopics(kafka));
  return {
    async deleteCreatedSince() {
      const created = (await listTestTopics(kafka)).filter((topic) => !existing.has(topic));
      const admin = kafka.admin();
      await admin.connect();
      try {
        for (let start = 0; start < created.length; start += 100) {
          await admin.deleteTopics({ topics: created.slice(start, start + 100), timeout: 30_000 });
        }
      } finally {
        await admin.disconnect();
      }
      return created.length;
    },
  };
}

async function listTestTopics(kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((topic) => TEST_TOPIC.test(topic));
  } finally {
    await admin.disconnect();
  }
}
