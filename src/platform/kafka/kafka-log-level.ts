import { logLevel } from 'kafkajs';

export type PinoLevel = 'error' | 'warn' | 'info' | 'debug';

/** The fields of a kafkajs log entry this module reads (kafkajs's `LoggerEntryContent`). */
export interface KafkaLogEntry {
  message: string;
  /** On `Response <Api>(...)` entries: the protocol error's message (kafkajs logs no type or code). */
  error?: unknown;
}

/**
 * Protocol errors a healthy cluster answers in passing: at start (coordinator still loading, a
 * topic just created), on every rebalance, and while a broker restarts or leadership moves.
 * kafkajs retries or rejoins on each, yet logs every error response at ERROR (tulios/kafkajs#1494,
 * tulios/kafkajs#815), with the error's message only, so they are matched by message. The texts
 * are kafkajs 2.2.4's (src/protocol/error.js); a unit test checks them against that table.
 */
export const PASSING_PROTOCOL_ERRORS = {
  GROUP_LOAD_IN_PROGRESS: "The coordinator is loading and hence can't process requests for this group",
  GROUP_COORDINATOR_NOT_AVAILABLE: 'The group coordinator is not available',
  NOT_COORDINATOR_FOR_GROUP: 'This is not the correct coordinator for this group',
  REBALANCE_IN_PROGRESS: 'The group is rebalancing, so a rejoin is needed',
  UNKNOWN_MEMBER_ID: 'The coordinator is not aware of this member',
  ILLEGAL_GENERATION: 'Specified group generation id is not valid',
  NOT_LEADER_FOR_PARTITION: 'This server is not the leader for that topic-partition',
  LEADER_NOT_AVAILABLE:
    'There is no leader for this topic-partition as we are in the middle of a leadership election',
  UNKNOWN_TOPIC_OR_PARTITION: 'This server does not host this topic-partition',
  REPLICA_NOT_AVAILABLE: 'The replica is not available for the requested topic-partition',
  NOT_CONTROLLER: 'This is not the correct controller for this cluster',
  FENCED_LEADER_EPOCH: 'The leader epoch in the request is older than the epoch on the broker',
  UNKNOWN_LEADER_EPOCH: 'The leader epoch in the request is newer than the epoch on the broker',
  OFFSET_NOT_AVAILABLE:
    'The leader high watermark has not caught up from a recent leader election so the offsets cannot be guaranteed to be monotonically increasing',
  UNSTABLE_OFFSET_COMMIT: 'There are unstable offsets that need to be cleared',
  REQUEST_TIMED_OUT: 'The request timed out',
  NETWORK_EXCEPTION: 'The server disconnected before a response was received',
  NOT_ENOUGH_REPLICAS: 'Messages are rejected since there are fewer in-sync replicas than required',
  NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    'Messages are written to the log, but to fewer in-sync replicas than required',
} as const;

const PASSING_MESSAGES: ReadonlySet<string> = new Set(Object.values(PASSING_PROTOCOL_ERRORS));

/**
 * kafkajs's own lines about an attempt it is about to repeat (reconnect, refresh metadata, rejoin,
 * restart the consumer). If the repeats fail too, the error reaches our code, which logs it.
 */
const RETRYING_MESSAGES: readonly RegExp[] = [
  /^Connection (error|timeout)\b/,
  /^Failed to connect to seed broker, trying another broker/,
  /^Failed to send messages: /,
  /^The coordinator is not aware of this member, re-joining the group$/,
  /^Restarting the consumer in \d+ms$/,
];

const LEVELS: Record<number, PinoLevel> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Where the client that logged an entry stands: still starting, or started. */
export interface KafkaLogPhase {
  /**
   * True while one of the client's consumers has not yet joined its group, or a producer, admin
   * client or the topic set-up is still connecting: the coordinator loading, a topic just created
   * and its leader election are what a healthy cluster answers then, so they are not worth a look.
   */
  starting: boolean;
}

/**
 * The level a kafkajs entry is logged at: kafkajs's own, except that an ERROR about something
 * kafkajs recovers from by itself is a warning once started, and debug while starting. An error
 * line then always means someone should look (a consumer crash that is not restarted, offsets
 * reset, a refused credential stay errors, starting or not).
 */
export function kafkaLogLevel(
  level: logLevel,
  entry: KafkaLogEntry,
  phase: KafkaLogPhase = { starting: false },
): PinoLevel {
  if (level === logLevel.ERROR && isPassing(entry)) return phase.starting ? 'debug' : 'warn';
  return LEVELS[level] ?? 'info';
}

/**
 * kafkajs's line when a consumer crashes: `Crash: <error name>: <message>`. A join answered by a
 * coordinator still loading crashes the consumer, and kafkajs restarts it (every passing protocol
 * error is retriable). The consumer runtime logs each crash itself, at ERROR when kafkajs will not
 * restart the consumer.
 */
const CRASH = /^Crash: \w+: (.*)$/s;

function isPassing({ message, error }: KafkaLogEntry): boolean {
  if (message.startsWith('Response ') && typeof error === 'string') return PASSING_MESSAGES.has(error);
  const crash = CRASH.exec(message);
  if (crash) return PASSING_MESSAGES.has(crash[1] ?? '');
  return PASSING_MESSAGES.has(message) || RETRYING_MESSAGES.some((pattern) => pattern.test(message));
}
