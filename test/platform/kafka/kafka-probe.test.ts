import { describe, expect, it } from 'vitest';
import { KafkaProbe, type ProbeAdmin } from '../../../src/platform/kafka/kafka-probe.ts';

const BROKERS = '127.0.0.1:19092';

function fakeAdmin(describeCluster: () => Promise<{ brokers: unknown[] }>) {
  const calls = { describeCluster: 0 };
  const admin = {
    describeCluster: () => {
      calls.describeCluster++;
      return describeCluster();
    },
    disconnect: async () => {},
  } as unknown as ProbeAdmin;
  return { admin, calls };
}

const oneBroker = { brokers: [{ nodeId: 1, host: '127.0.0.1', port: 19092 }], controller: 1, clusterId: 'c' };

describe('Kafka readiness probe', () => {
  it('is ok when the cluster lists a broker', async () => {
    const { admin } = fakeAdmin(async () => oneBroker);
    expect(await new KafkaProbe(admin, BROKERS).check()).toEqual({ ok: true });
  });

  it('names Kafka, the brokers and the cause when the request fails', async () => {
    const { admin } = fakeAdmin(async () => {
      throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:19092');
    });
    expect(await new KafkaProbe(admin, BROKERS).check()).toEqual({
      ok: false,
      error:
        'Kafka brokers 127.0.0.1:19092 unreachable: Connection error: connect ECONNREFUSED 127.0.0.1:19092',
    });
  });

  it('a hung broker: every check answers within the timeout, and they share one request', async () => {
    const { admin, calls } = fakeAdmin(() => new Promise(() => {}));
    const probe = new KafkaProbe(admin, BROKERS, 50);
    const started = Date.now();
    const results = await Promise.all([probe.check(), probe.check(), probe.check()]);
    const later = await probe.check();
    expect(Date.now() - started).toBeLessThan(1_000);
    for (const result of [...results, later]) {
      expect(result).toEqual({
        ok: false,
        error: 'Kafka brokers 127.0.0.1:19092 unreachable: no answer within 50 ms',
      });
    }
    expect(calls.describeCluster).toBe(1);
  });

  it('a broker that answered before is not unreachable for one slow answer, only once silent for longer than tolerated', async () => {
    let answer: () => Promise<typeof oneBroker> = async () => oneBroker;
    const { admin } = fakeAdmin(() => answer());
    const probe = new KafkaProbe(admin, BROKERS, 20, 150);
    expect(await probe.check()).toEqual({ ok: true });
    answer = () => new Promise(() => {});
    expect(await probe.check()).toEqual({ ok: true });
    // Time passing is the point (not a synchronisation): the broker stays silent past the 150 ms tolerated.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await probe.check()).toEqual({
      ok: false,
      error: 'Kafka brokers 127.0.0.1:19092 unreachable: no answer within 20 ms',
    });
  });

  it('a refused connection is unreachable at once, even right after an answer', async () => {
    let answer = async () => oneBroker;
    const { admin } = fakeAdmin(() => answer());
    const probe = new KafkaProbe(admin, BROKERS, 20, 60_000);
    expect(await probe.check()).toEqual({ ok: true });
    answer = async () => {
      throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:19092');
    };
    expect((await probe.check()).ok).toBe(false);
  });

  it('asks again once the previous request has settled', async () => {
    const { admin, calls } = fakeAdmin(async () => oneBroker);
    const probe = new KafkaProbe(admin, BROKERS);
    await probe.check();
    await probe.check();
    expect(calls.describeCluster).toBe(2);
  });

  it('a cluster that answers listing no brokers is down at once', async () => {
    const { admin } = fakeAdmin(async () => ({ ...oneBroker, brokers: [] }));
    expect(await new KafkaProbe(admin, BROKERS).check()).toEqual({
      ok: false,
      error: 'Kafka brokers 127.0.0.1:19092 unreachable: the cluster lists no brokers',
    });
  });

  it('leaves a request hung for 5 × its timeout behind and asks anew, so a hung connection does not keep it down', async () => {
    let answer: () => Promise<typeof oneBroker> = () => new Promise(() => {});
    const { admin, calls } = fakeAdmin(() => answer());
    const probe = new KafkaProbe(admin, BROKERS, 20, 60_000);
    expect((await probe.check()).ok).toBe(false);
    answer = async () => oneBroker;
    expect((await probe.check()).ok).toBe(false);
    expect(calls.describeCluster).toBe(1);
    // Time passing is the point (not a synchronisation): the first request is 5 × 20 ms old.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await probe.check()).toEqual({ ok: true });
    expect(calls.describeCluster).toBe(2);
  });
});
