import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { AvroCodec } from '../../../src/platform/registry/avro-codec.ts';
import { loadContracts, registerContracts } from '../../../src/platform/registry/contracts.ts';
import { registryProbe } from '../../../src/platform/registry/registry-probe.ts';
import { rejectionOf } from '../../helpers/caught-error.ts';
import { eventually } from '../../helpers/eventually.ts';
import { logCapture } from '../../helpers/service.ts';
import { tcpProxyForTest } from '../../helpers/tcp-proxy.ts';
import { uniqueSuffix } from '../../helpers/test-config.ts';

/** The real registry behind a proxy that can refuse or go silent, and a codec reaching it through it. */
async function registryBehindProxy(requestTimeoutMs?: number) {
  const upstream = new URL(inject('schemaRegistryUrl'));
  const proxy = await tcpProxyForTest({ host: upstream.hostname, port: Number(upstream.port) });
  const codec = new AvroCodec(`http://127.0.0.1:${proxy.port()}${upstream.pathname}`, requestTimeoutMs);
  onTestFinished(() => codec.close());
  return { proxy, codec };
}

describe('the registry’s readiness probe', () => {
  it('forgives a registry that answered before one silent spell, not a longer one', async () => {
    const { proxy, codec } = await registryBehindProxy();
    const probe = registryProbe(codec, 1_000);
    expect(await probe.check()).toEqual({ ok: true });
    proxy.stall();
    const stalledAt = Date.now();
    expect(await probe.check()).toEqual({ ok: true });
    // Each check gives up within about 2 s (the probe's or the ping's own timeout), so a few checks cross the 1 s tolerated.
    const down = await eventually(async () => {
      const result = await probe.check();
      return result.ok ? undefined : result;
    });
    expect(Date.now() - stalledAt).toBeGreaterThanOrEqual(1_000);
    expect(down.error).toMatch(/^schema registry.*(no answer within 2000 ms|Timeout)/);
    await proxy.restore();
    expect(await probe.check()).toEqual({ ok: true });
  });

  it('a registry that never answered is down at its first silence', async () => {
    const { proxy, codec } = await registryBehindProxy();
    proxy.stall();
    expect((await registryProbe(codec, 60_000).check()).ok).toBe(false);
  });

  it('a refused connection is down at once, even right after an answer', async () => {
    const { proxy, codec } = await registryBehindProxy();
    const probe = registryProbe(codec, 60_000);
    expect(await probe.check()).toEqual({ ok: true });
    await proxy.cut();
    const down = await probe.check();
    expect(down.ok).toBe(false);
    expect(down.error).toMatch(/ECONNREFUSED|other side closed|ECONNRESET|fetch failed/);
  });
});

describe('registry requests', () => {
  it('a registry that accepts a request and never answers fails it within the request timeout, naming the registry', async () => {
    const { proxy, codec } = await registryBehindProxy(300);
    proxy.stall();
    const startedAt = Date.now();
    const error = await rejectionOf(codec.latestId('never-answered'));
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect([error.code, error.failureClass]).toEqual(['REGISTRY_UNAVAILABLE', 'systemic']);
    expect(error.message).toBe(
      'schema registry failed while looking up never-answered-value: no answer within 300 ms',
    );
    // Answering again, the same codec goes on.
    await proxy.restore();
    await expect(codec.ping()).resolves.toBeUndefined();
  });
});

describe('registering the contracts at start', () => {
  const contracts = loadContracts();
  const topics = () => {
    const s = uniqueSuffix();
    return { linesIngested: `stall-${s}.lines`, pushedToFinance: `stall-${s}.pushed` };
  };

  it('asks again a registry that left a request unanswered, and registers once it answers', async () => {
    const { proxy, codec } = await registryBehindProxy(300);
    const { lines, logger } = logCapture();
    proxy.stall();
    const registering = registerContracts(codec, contracts, topics(), logger);
    // The first request goes unanswered and is asked again: the registry answers that one.
    await eventually(async () => (lines.some((line) => line.includes('asking again')) ? true : undefined));
    await proxy.restore();
    const ids = await registering;
    expect(ids.linesIngested).toBeGreaterThan(0);
    expect(ids.pushedToFinance).toBeGreaterThan(0);
    const warning = JSON.parse(lines.find((line) => line.includes('asking again')) ?? '{}');
    expect(warning).toMatchObject({ attempt: 1, tries: 3 });
    expect(warning.err.message).toMatch(
      /^schema registry failed while registering stall-.*: no answer within 300 ms/,
    );
  });

  it('gives up after three unanswered tries, saying no answer came', async () => {
    const { proxy, codec } = await registryBehindProxy(300);
    const { lines, logger } = logCapture();
    proxy.stall();
    const error = await rejectionOf(registerContracts(codec, contracts, topics(), logger));
    expect([error.code, error.failureClass]).toEqual(['REGISTRY_UNAVAILABLE', 'systemic']);
    expect(error.message).toMatch(
      /^schema registry failed while registering stall-.*: no answer within 300 ms$/,
    );
    expect(lines.filter((line) => line.includes('asking again'))).toHaveLength(2);
  });

  it('does not ask a refusing registry again: start-up fails at once', async () => {
    const { proxy, codec } = await registryBehindProxy(300);
    const { lines, logger } = logCapture();
    await proxy.cut();
    const error = await rejectionOf(registerContracts(codec, contracts, topics(), logger));
    expect(error.code).toBe('REGISTRY_UNAVAILABLE');
    expect(error.message).not.toMatch(/no answer within/);
    expect(lines.filter((line) => line.includes('asking again'))).toHaveLength(0);
  });
});
