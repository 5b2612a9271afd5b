import type { Admin, Consumer, Producer } from 'kafkajs';

/**
 * Counts what one kafkajs client is still starting: a consumer from `connect()` until it has joined
 * its group (kafkajs restarts a consumer whose join meets a loading coordinator, so this spans the
 * restarts), a producer or admin client until `connect()` settles, and the topic set-up. kafkajs's
 * passing protocol errors are logged at debug while anything is starting (see kafka-log-level.ts).
 */
const JOIN_GRACE_MS = 10_000; // ten seconds: leader elections of new topics settle well within it

export class KafkaStartup {
  #pending = 0;

  get starting(): boolean {
    return this.#pending > 0;
  }

  /** Counts `work` as start-up until it settles. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    const done = this.#begin();
    try {
      return await work();
    } finally {
      done();
    }
  }

  /**
   * Start-up of a consumer lasts from `connect()` to its first fetch (at most JOIN_GRACE_MS after its
   * first join), a crash kafkajs does not restart, or our own `stop()`/`disconnect()`. (kafkajs stops and disconnects the consumer itself
   * on every crash, restarted or not, so its STOP and DISCONNECT events do not end the start-up.)
   */
  trackConsumer(consumer: Consumer): Consumer {
    let settle = (): void => {};
    const { connect, stop, disconnect } = consumer;
    consumer.connect = async () => {
      settle();
      const done = this.#begin();
      let grace: NodeJS.Timeout | undefined;
      const removers = [
        // After the join the consumer still looks up where to start (ListOffsets), which a topic
        // created moments ago may answer with NOT_LEADER while its leaders are elected: start-up
        // ends with the first fetch, or a short while after the join if nothing is fetched.
        consumer.on(consumer.events.FETCH, () => settle()),
        consumer.on(consumer.events.GROUP_JOIN, () => {
          grace ??= setTimeout(() => settle(), JOIN_GRACE_MS).unref();
        }),
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) settle();
        }),
      ];
      settle = () => {
        clearTimeout(grace);
        for (const remove of removers) remove();
        done();
      };
      await connect().catch((error: unknown) => {
        settle();
        throw error;
      });
    };
    consumer.stop = () => {
      settle();
      return stop();
    };
    consumer.disconnect = () => {
      settle();
      return disconnect();
    };
    return consumer;
  }

  /** Start-up of a producer or admin client lasts until its `connect()` settles. */
  trackConnect<T extends Producer | Admin>(client: T): T {
    const connect = client.connect.bind(client);
    client.connect = () => this.during(connect);
    return client;
  }

  #begin(): () => void {
    this.#pending++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#pending--;
    };
  }
}
