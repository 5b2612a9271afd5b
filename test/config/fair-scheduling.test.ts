import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { tenantValue } from '../../src/config/fair-scheduling.ts';

const PROTOTYPE_NAMES = [
  'valueOf',
  'toString',
  'constructor',
  'hasOwnProperty',
  '__proto__',
  '__defineGetter__',
];
const tenant = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz._-0123456789'.split('')),
    minLength: 1,
    maxLength: 64,
  }),
);

function fair(env: Record<string, string>) {
  const scheduling = loadConfig(env).pusher.fair;
  if (!scheduling) throw new Error('expected fair scheduling on');
  return scheduling;
}

describe('per-tenant tables (TENANT_WEIGHTS, TENANT_MAX_IN_FLIGHT, TENANT_MAX_RATE)', () => {
  it('gives a tenant named like an Object.prototype member the number of any other tenant', () => {
    const { weights, maxInFlight } = fair({ TENANT_WEIGHTS: 'acme=3', TENANT_MAX_IN_FLIGHT: '*=8' });
    fc.assert(
      fc.property(tenant, (name) => {
        expect(tenantValue(weights, name, 1)).toBe(name === 'acme' ? 3 : 1);
        expect(tenantValue(maxInFlight, name, Number.POSITIVE_INFINITY)).toBe(8);
      }),
    );
    for (const name of PROTOTYPE_NAMES) expect(tenantValue(weights, name, 1)).toBe(1);
  });

  it('keeps an entry for a tenant named __proto__ or constructor', () => {
    const { weights, maxRate } = fair({
      TENANT_WEIGHTS: '__proto__=4,constructor=2',
      TENANT_MAX_RATE: 'valueOf=5',
    });
    expect(tenantValue(weights, '__proto__', 1)).toBe(4);
    expect(tenantValue(weights, 'constructor', 1)).toBe(2);
    expect(tenantValue(weights, 'acme', 1)).toBe(1);
    expect(tenantValue(maxRate, 'valueOf', Number.POSITIVE_INFINITY)).toBe(5);
    expect(tenantValue(maxRate, 'toString', Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });
});
