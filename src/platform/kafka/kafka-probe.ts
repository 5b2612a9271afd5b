import type { Admin } from 'kafkajs';
import type { Config } from '../../config/config.ts';
import type { Logger } from '../../ops/logger.ts';
import { PROBE_TIMEOUT_MS, type ProbeResult, SILENCE_TOLERATED_MS, TimedProbe } from '../readiness-probe.ts';
import { createKafka } from './kafka-client.ts';

/** The part of the admin client a probe uses. */
export type ProbeAdmin = Pick<Admin, 'describeCluster' | 'disconnect'>;
/** kafkajs gives up on a hung request after this, so a silent broker does not hold the check's slot long. */
const PROBE_REQUEST_TIMEOUT_MS = 1_500;
/** A refused or reset connection is proof enough that the brokers are down, at once. */
const REFUSED = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/;

/**
 * Asks the brokers for cluster metadata, one round trip per check, through an admin client of its
 * own: kafkajs applies the client-wide retry (8 retries, minutes of backoff) to every admin request
 * whatever `admin({ retry })` says, so the probe's client has none, and a short request timeout.
 * A broker that answered before and is now only slow (a metadata request timed out: a busy or
 * restarting broker, a starved machine) is unreachable once silent for longer than tolerated.
 */
export class KafkaProbe {
  readonly #admin: ProbeAdmin;
  readonly #probe: TimedProbe;

  /** Use `KafkaProbe.connect`; this takes a connected admin client. */
  constructor(
    admin: ProbeAdmin,
    brokers: string,
    timeoutMs = PROBE_TIMEOUT_MS,
    silenceToleratedMs = SILENCE_TOLERATED_MS,
  ) {
    this.#admin = admin;
    this.#probe = new TimedProbe(() => this.#requireBrokers(), {
      timeoutMs,
      silenceToleratedMs,
      silent: (error) => error.name !== 'KafkaJSConnectionError' && !REFUSED.test(error.message),
      describe: (reason) => `Kafka brokers ${brokers} unreachable: ${reason}`,
    });
  }

  static async connect(config: Config['kafka'], log: Logger): Promise<KafkaProbe> {
    const kafka = createKafka(config, log, {
      retry: { retries: 0 },
      requestTimeoutMs: PROBE_REQUEST_TIMEOUT_MS,
      component: 'kafka-probe',
    });
    const admin = kafka.admin();
    await admin.connect();
    return new KafkaProbe(admin, config.brokers.join(','));
  }

  check(): Promise<ProbeResult> {
    return this.#probe.check();
  }

  close(): Promise<void> {
    return this.#admin.disconnect();
  }

  /** Why the brokers are down though they answered, if they are. */
  async #requireBrokers(): Promise<string | undefined> {
    const { brokers } = await this.#admin.describeCluster();
    return brokers.length === 0 ? 'the cluster lists no brokers' : undefined;
  }
}
