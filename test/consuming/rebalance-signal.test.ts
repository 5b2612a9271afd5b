import { KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isRebalanceSignal } from '../../src/consuming/rebalance-signal.ts';

describe('rebalance signals from a heartbeat', () => {
  it('are the coordinator answers that put the partitions in question', () => {
    const protocol = (type: string) => Object.assign(new KafkaJSProtocolError('x'), { type });
    expect(isRebalanceSignal(protocol('REBALANCE_IN_PROGRESS'))).toBe(true);
    expect(isRebalanceSignal(protocol('UNKNOWN_MEMBER_ID'))).toBe(true);
    expect(isRebalanceSignal(protocol('ILLEGAL_GENERATION'))).toBe(true);
  });

  it('are not network errors or timeouts, after which the heartbeat is simply tried again', () => {
    expect(isRebalanceSignal(new Error('Connection timeout'))).toBe(false);
    expect(isRebalanceSignal(Object.assign(new Error('x'), { type: 'REQUEST_TIMED_OUT' }))).toBe(false);
    expect(isRebalanceSignal(undefined)).toBe(false);
  });
});
