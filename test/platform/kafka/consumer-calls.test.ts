import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { whileGroupRuns } from '../../../src/platform/kafka/consumer-calls.ts';

// A real kafkajs consumer that never ran: it has no group, as between a crash and kafkajs's restart.
const consumer = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING }).consumer({
  groupId: 'g',
});

describe('pausing and resuming a consumer that has no group yet', () => {
  it('drops the call kafkajs refuses for want of a group, instead of throwing it from a timer', () => {
    expect(() => consumer.pause([{ topic: 't' }])).toThrow(/Consumer group was not initialized/);
    expect(() => whileGroupRuns(() => consumer.pause([{ topic: 't' }]))).not.toThrow();
    expect(() => whileGroupRuns(() => consumer.resume([{ topic: 't' }]))).not.toThrow();
  });

  it('lets every other error through', () => {
    expect(() =>
      whileGroupRuns(() => {
        throw new Error('something else');
      }),
    ).toThrow('something else');
  });
});
