import { createRequire } from 'node:module';
import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogLevel, PASSING_PROTOCOL_ERRORS } from '../../../src/platform/kafka/kafka-log-level.ts';

// kafkajs's own table of protocol errors (not part of its typed API): the source of the messages.
const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
  errorCodes: { type: string; message: string }[];
};

// Entries as kafkajs hands them to the logCreator (`log`), copied from real runs against Kafka 4.
const response = (api: string, error: string) => ({
  timestamp: '2026-11-25T12:49:23.030Z',
  logger: 'kafkajs',
  message: `Response ${api}`,
  broker: '127.0.0.1:9092',
  clientId: 'invoice-finance-sync',
  error,
  correlationId: 2,
  size: 55,
});

const STARTING = { starting: true };
const STARTED = { starting: false };

describe('kafkajs log level', () => {
  it.each([
    ['GroupCoordinator(key: 10, version: 2)', 'The group coordinator is not available'],
    [
      'GroupCoordinator(key: 10, version: 2)',
      "The coordinator is loading and hence can't process requests for this group",
    ],
    ['OffsetCommit(key: 8, version: 5)', 'This is not the correct coordinator for this group'],
    ['Heartbeat(key: 12, version: 3)', 'The group is rebalancing, so a rejoin is needed'],
    ['SyncGroup(key: 14, version: 3)', 'The group is rebalancing, so a rejoin is needed'],
    ['Heartbeat(key: 12, version: 3)', 'The coordinator is not aware of this member'],
    ['Produce(key: 0, version: 7)', 'This server is not the leader for that topic-partition'],
    ['Metadata(key: 3, version: 6)', 'This server does not host this topic-partition'],
    [
      'Metadata(key: 3, version: 6)',
      'There is no leader for this topic-partition as we are in the middle of a leadership election',
    ],
  ])('a %s response answering "%s" is debug while starting, a warning once started', (api, error) => {
    expect(kafkaLogLevel(logLevel.ERROR, response(api, error), STARTING)).toBe('debug');
    expect(kafkaLogLevel(logLevel.ERROR, response(api, error), STARTED)).toBe('warn');
    expect(kafkaLogLevel(logLevel.ERROR, response(api, error))).toBe('warn');
  });

  it.each([
    'Connection error: connect ECONNREFUSED 127.0.0.1:40601',
    'Connection timeout',
    'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:40601',
    'Failed to send messages: This server is not the leader for that topic-partition',
    'The coordinator is not aware of this member, re-joining the group',
    'Restarting the consumer in 300ms',
    'This server is not the leader for that topic-partition',
    // A join while the coordinator loads (a broker just started): kafkajs restarts the consumer.
    "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group",
  ])('kafkajs retrying after "%s" is debug while starting, a warning once started', (message) => {
    expect(kafkaLogLevel(logLevel.ERROR, { message }, STARTING)).toBe('debug');
    expect(kafkaLogLevel(logLevel.ERROR, { message }, STARTED)).toBe('warn');
  });

  it.each([
    [
      'a refused credential',
      response('SaslAuthenticate(key: 36, version: 1)', 'SASL PLAIN authentication failed'),
    ],
    [
      'a forbidden topic',
      response(
        'Metadata(key: 3, version: 6)',
        'Not authorized to access topics: [Topic authorization failed]',
      ),
    ],
    [
      'a consumer crash',
      { message: 'Crash: KafkaJSNonRetriableError: Invalid record key', groupId: 'pusher' },
    ],
    [
      'offsets reset',
      { message: 'Offset out of range, resetting to default offset', topic: 't', partition: 0 },
    ],
    ['our own handler throwing', { message: 'Error when calling eachBatch', error: 'boom' }],
  ])('%s stays an error, starting or not', (_what, entry) => {
    expect(kafkaLogLevel(logLevel.ERROR, entry, STARTING)).toBe('error');
    expect(kafkaLogLevel(logLevel.ERROR, entry, STARTED)).toBe('error');
  });

  it('keeps kafkajs levels other than ERROR as they are, starting or not', () => {
    const entry = response(
      'Heartbeat(key: 12, version: 3)',
      'The group is rebalancing, so a rejoin is needed',
    );
    for (const phase of [STARTING, STARTED])
      expect(
        [logLevel.WARN, logLevel.INFO, logLevel.DEBUG].map((level) => kafkaLogLevel(level, entry, phase)),
      ).toEqual(['warn', 'info', 'debug']);
  });

  it("matches kafkajs's own messages for every passing protocol error", () => {
    const kafkajs = Object.fromEntries(errorCodes.map((e) => [e.type, e.message]));
    for (const [type, message] of Object.entries(PASSING_PROTOCOL_ERRORS))
      expect(kafkajs[type], type).toBe(message);
  });
});
