import { describe, expect, it } from 'vitest';
import { latencies, quantile } from '../../bench/latency-kit.ts';
import { ownerOf, summarize } from '../../bench/profile-summary.ts';

describe('latency figures', () => {
  it('counts only the measured keys, input to output, ascending', () => {
    const input = new Map([
      ['WARM-1', 0],
      ['LAT-1', 100],
      ['LAT-2', 200],
    ]);
    const output = new Map([
      ['WARM-1', 900],
      ['LAT-2', 230],
      ['LAT-1', 110],
      ['LAT-3', 50], // no input timestamp: not a latency
    ]);
    expect(latencies(input, output, (key) => key.startsWith('LAT-'))).toEqual([10, 30]);
    expect(latencies(input, output)).toEqual([10, 30, 900]);
  });

  it('takes quantiles at rank floor(q·n) + 1: on the high side, never past the maximum', () => {
    const sorted = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(101);
    expect(quantile(sorted, 0.99)).toBe(199);
    expect(quantile(sorted, 1)).toBe(200);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('CPU profile summary', () => {
  it('names who owns a frame', () => {
    expect(ownerOf('file:///app/node_modules/kafkajs/src/network/connection.js', 'send')).toBe('kafkajs');
    expect(ownerOf('file:///app/node_modules/@mikro-orm/core/index.js', 'flush')).toBe('@mikro-orm/core');
    expect(ownerOf('file:///app/src/core/finance-payload.ts', 'serializePayload')).toBe('src/ (ours)');
    expect(ownerOf('node:internal/buffer', 'FastBuffer')).toBe('node internals');
    expect(ownerOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(ownerOf('', 'writeBuffer')).toBe('native: writeBuffer');
  });

  it('adds self time per owner and per function, largest first', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('push', 'file:///app/src/consumers/pusher/invoice-pusher.ts') },
        { id: 3, callFrame: frame('send', 'file:///app/node_modules/kafkajs/src/network/connection.js') },
      ],
      samples: [2, 3, 3, 2, 3],
      timeDeltas: [10, 20, 20, 10, 20],
    };
    const { totalUs, owners, functions } = summarize(profile);
    expect(totalUs).toBe(80);
    expect(owners).toEqual([
      ['kafkajs', 60],
      ['src/ (ours)', 20],
    ]);
    expect(functions[0]).toEqual(['send (kafkajs) connection.js:1', 60]);
  });
});
