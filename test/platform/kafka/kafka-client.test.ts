import { describe, expect, it } from 'vitest';
import { kafkaSecurity } from '../../../src/platform/kafka/kafka-client.ts';

const CA = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';

describe('Kafka client security options', () => {
  it('speaks plaintext without TLS or SASL configured', () => {
    expect(kafkaSecurity({ tls: undefined, sasl: undefined })).toEqual({});
  });

  it('trusts the system CAs with TLS but no CA file, and our CA when given one', () => {
    expect(
      kafkaSecurity({ tls: { ca: undefined, cert: undefined, key: undefined }, sasl: undefined }),
    ).toEqual({
      ssl: {},
    });
    expect(kafkaSecurity({ tls: { ca: CA, cert: 'CERT', key: 'KEY' }, sasl: undefined })).toEqual({
      ssl: { ca: [CA], cert: 'CERT', key: 'KEY' },
    });
  });

  it('logs in with the configured SASL mechanism', () => {
    const sasl = { mechanism: 'scram-sha-512', username: 'billing', password: 'pw' } as const;
    expect(kafkaSecurity({ tls: { ca: CA, cert: undefined, key: undefined }, sasl })).toEqual({
      ssl: { ca: [CA] },
      sasl: { mechanism: 'scram-sha-512', username: 'billing', password: 'pw' },
    });
  });
});
