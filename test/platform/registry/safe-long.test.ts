import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { SafeLongType } from '../../../src/platform/registry/safe-long.ts';

const type = avro.Type.forSchema(
  { type: 'record', name: 'Amounts', fields: [{ name: 'values', type: { type: 'array', items: 'long' } }] },
  { registry: { long: SafeLongType } },
);

describe('SafeLongType', () => {
  it('decodes every long exactly: safe integers as numbers, the rest as bigints', () => {
    const values = [
      0,
      -1,
      250,
      -250,
      2 ** 52 - 1,
      -(2 ** 52),
      2 ** 52,
      -(2 ** 52) - 1,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      2n ** 53n,
      -(2n ** 53n) - 1n,
      2n ** 63n - 1n,
      -(2n ** 63n),
    ];
    const decoded = type.fromBuffer(type.toBuffer({ values })) as { values: (number | bigint)[] };
    expect(decoded.values).toEqual(values);
    expect(decoded.values.map((v) => typeof v)).toEqual(values.map((v) => typeof v));
  });
});
