import type { Kafka } from 'kafkajs';

/**
 * Whether the broker knows `topic`. Asked before reading a topic that may never have been written:
 * kafkajs would otherwise retry UNKNOWN_TOPIC_OR_PARTITION for seconds and then fail. The admin
 * client's metadata requests never auto-create the topic.
 */
export async function topicExists(kafka: Kafka, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}
