import type { Admin } from 'kafkajs';
import type { Config } from '../../config/config.ts';
import type { Logger } from '../../ops/logger.ts';
import { type ProbeResult, SILENCE_TOLERATED_MS, SilenceTolerance } from '../readiness-probe.ts';
import { withinTime } from '../time-limit.ts';
import { createKafka } from './kafka-client.ts';

/** A check answers within this, whatever the broker does: /readyz must answer a kubelet in time. */
const PROBE_TIMEOUT_MS = 2_000;
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
 */
export class KafkaProbe {
  readonly #admin: ProbeAdmin;
  readonly #brokers: string;
  readonly #timeoutMs: number;
  /** A broker that answered before and is now only slow is called unreachable once silent this long. */
  readonly #silence: SilenceTolerance;
  /** The request under way. Checks share it, so a hung broker never piles requests up. */
  #inFlight: Promise<number> | undefined;

  /** Use `KafkaProbe.connect`; this takes a connected admin client. */
  constructor(
    admin: ProbeAdmin,
    brokers: string,
    timeoutMs = PROBE_TIMEOUT_MS,
    silenceToleratedMs = SILENCE_TOLERATED_MS,
  ) {
    this.#admin = admin;
    this.#brokers = brokers;
    this.#timeoutMs = timeoutMs;
    this.#silence = new SilenceTolerance(silenceToleratedMs);
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

  async check(): Promise<ProbeResult> {
    this.#inFlight ??= this.#countBrokers().finally(() => {
      this.#inFlight = undefined;
    });
    try {
      const brokers = await withinTime(
        this.#inFlight,
        this.#timeoutMs,
        () => new Error(`no answer within ${this.#timeoutMs} ms`),
      );
      if (brokers === 0) return this.#down('the cluster lists no brokers');
      this.#silence.answered();
      return { ok: true };
    } catch (error) {
      return this.#unanswered(error as Error);
    }
  }

  /** Refused: down now. Silent: down once silent for longer than tolerated, or if it never answered. */
  #unanswered(error: Error): ProbeResult {
    const refused = error.name === 'KafkaJSConnectionError' || REFUSED.test(error.message);
    const tolerated = this.#silence.tolerates();
    return !refused && tolerated ? { ok: true } : this.#down(error.message);
  }

  close(): Promise<void> {
    return this.#admin.disconnect();
  }

  async #countBrokers(): Promise<number> {
    const { brokers } = await this.#admin.describeCluster();
    return brokers.length;
  }

  #down(reason: string): ProbeResult {
    return { ok: false, error: `Kafka brokers ${this.#brokers} unreachable: ${reason}` };
  }
}
