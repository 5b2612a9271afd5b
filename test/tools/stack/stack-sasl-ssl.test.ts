import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type KafkaNodeSpec, kafkaProperties } from '../../../tools/stack/kafka-node.ts';
import {
  markScramUsers,
  prepareStackSaslSsl,
  saslSslVariables,
  stackSaslSslEndpoint,
} from '../../../tools/stack/stack-sasl-ssl.ts';

function stackDirs() {
  const stack = mkdtempSync(join(tmpdir(), 'ifs-stack-'));
  const data = join(stack, 'kafka-data');
  mkdirSync(data);
  return { stack, data };
}

const properties = (spec: Partial<KafkaNodeSpec>) =>
  Object.fromEntries(
    kafkaProperties({
      host: '127.0.0.1',
      port: 9092,
      controllerPort: 9093,
      dataDir: '/data',
      configFile: '/server.properties',
      logFile: '/kafka.log',
      markerName: 'kafka',
      ...spec,
    })
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );

describe('the local stack’s SASL_SSL listener', () => {
  it('keeps the default broker PLAINTEXT only', () => {
    const props = properties({});
    expect(props.listeners).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    expect(props['listener.security.protocol.map']).toBe('PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT');
  });

  it('adds SASL_SSL with SCRAM next to PLAINTEXT, which readiness keeps asking', () => {
    const { stack, data } = stackDirs();
    const secure = prepareStackSaslSsl(stack, data, '127.0.0.1');
    const props = properties({ secure });
    expect(props.listeners).toBe(
      'PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9094,CONTROLLER://127.0.0.1:9093',
    );
    expect(props['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9094');
    expect(props['listener.security.protocol.map']).toBe(
      'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL',
    );
    expect(props['inter.broker.listener.name']).toBe('PLAINTEXT');
    expect(props['listener.name.sasl_ssl.sasl.enabled.mechanisms']).toBe('SCRAM-SHA-512,SCRAM-SHA-256');
    expect(props['listener.name.sasl_ssl.ssl.keystore.location']).toBe(join(stack, 'tls', 'server.p12'));
    expect(secure.scramUsers).toEqual([
      { username: 'invoice-finance-sync', password: expect.stringMatching(/^[0-9a-f]{32}$/) },
    ]);
  });

  it('makes a CA and broker certificate at each start, but keeps the SCRAM password', () => {
    const { stack, data } = stackDirs();
    const first = prepareStackSaslSsl(stack, data, '127.0.0.1');
    const firstCa = readFileSync(join(stack, 'tls', 'ca.pem'), 'utf8');
    const second = prepareStackSaslSsl(stack, data, '127.0.0.1');
    expect(readFileSync(join(stack, 'tls', 'ca.pem'), 'utf8')).not.toBe(firstCa);
    expect(second.scramUsers).toEqual(first.scramUsers);
    const endpoint = stackSaslSslEndpoint(stack, '127.0.0.1');
    expect(readFileSync(endpoint.passwordFile, 'utf8').trim()).toBe(first.scramUsers?.[0]?.password);
    expect(saslSslVariables(endpoint)).toEqual({
      KAFKA_BROKERS: '127.0.0.1:9094',
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: join(stack, 'tls', 'ca.pem'),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'invoice-finance-sync',
      KAFKA_SASL_PASSWORD_FILE: join(stack, 'tls', 'kafka-password'),
    });
  });

  it('refuses Kafka data formatted without the SCRAM user, saying to reset it', () => {
    const { stack, data } = stackDirs();
    writeFileSync(join(data, 'meta.properties'), 'version=1\n');
    expect(() => prepareStackSaslSsl(stack, data, '127.0.0.1')).toThrow(
      /formatted without the SCRAM user invoice-finance-sync.*npm run stack -- reset/,
    );
    markScramUsers(data);
    expect(existsSync(join(data, '.scram-users'))).toBe(true);
    expect(() => prepareStackSaslSsl(stack, data, '127.0.0.1')).not.toThrow();
  });
});
