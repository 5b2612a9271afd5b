// The local stack's optional SASL_SSL listener (`npm run stack -- up --sasl-ssl`): Kafka keeps its
// PLAINTEXT listener on 9092 (what everything else uses) and adds SASL_SSL on 9094, with SCRAM
// logins and a certificate signed by a CA made at each start. Lets anyone try the service's secured
// configuration (KAFKA_SSL, KAFKA_SASL_*) against a real broker.
//
// Files, under <repo>/.stack/tls/: ca.pem (trust it: KAFKA_SSL_CA_FILE), server.* (the broker's),
// kafka-password (the SCRAM user's password, made once: KAFKA_SASL_PASSWORD_FILE).
// SCRAM users can only be added when Kafka's storage is formatted (`kafka-storage format
// --add-scram`), so a data dir formatted without them must be reset first; a marker file says which.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecureListeners } from './kafka-node.ts';
import { makeTlsMaterial } from './tls-material.ts';

export const SASL_SSL_PORT = 9094;
export const STACK_SCRAM_USER = 'invoice-finance-sync';
const SCRAM_MARKER = '.scram-users';

export interface StackSaslSsl {
  brokers: string;
  caFile: string;
  username: string;
  passwordFile: string;
}

/** Where the secured listener's files live, whether or not it runs. */
export function stackSaslSslEndpoint(stackDir: string, host: string): StackSaslSsl {
  const dir = join(stackDir, 'tls');
  return {
    brokers: `${host}:${SASL_SSL_PORT}`,
    caFile: join(dir, 'ca.pem'),
    username: STACK_SCRAM_USER,
    passwordFile: join(dir, 'kafka-password'),
  };
}

/**
 * Makes a fresh CA and broker certificate, keeps (or makes) the SCRAM password, and returns the
 * listeners to start Kafka with. Refuses a data dir already formatted without the SCRAM user.
 */
export function prepareStackSaslSsl(stackDir: string, kafkaDataDir: string, host: string): SecureListeners {
  const formatted = existsSync(join(kafkaDataDir, 'meta.properties'));
  if (formatted && !existsSync(join(kafkaDataDir, SCRAM_MARKER))) {
    throw new Error(
      `Kafka's data in ${kafkaDataDir} was formatted without the SCRAM user ${STACK_SCRAM_USER}, and Kafka adds SCRAM users only when formatting: run \`npm run stack -- reset\` (deletes Kafka's and the registry's data), then \`npm run stack -- up --sasl-ssl\``,
    );
  }
  const endpoint = stackSaslSslEndpoint(stackDir, host);
  const password = existsSync(endpoint.passwordFile)
    ? readFileSync(endpoint.passwordFile, 'utf8').trim()
    : randomBytes(16).toString('hex');
  const dir = join(stackDir, 'tls');
  rmSync(dir, { recursive: true, force: true });
  const tls = makeTlsMaterial(dir, {
    caName: 'invoice-finance-sync local stack CA',
    hosts: ['localhost', host],
  });
  writeFileSync(endpoint.passwordFile, `${password}\n`, { mode: 0o600 });
  return {
    keystore: { file: tls.keystoreFile, password: tls.keystorePassword },
    saslSslPort: SASL_SSL_PORT,
    scramUsers: [{ username: STACK_SCRAM_USER, password }],
  };
}

/** Records that the storage now holds the SCRAM user (call once Kafka formatted it). */
export function markScramUsers(kafkaDataDir: string): void {
  if (existsSync(join(kafkaDataDir, 'meta.properties')))
    writeFileSync(join(kafkaDataDir, SCRAM_MARKER), `${STACK_SCRAM_USER}\n`);
}

/** The service's variables for the secured listener, which `stack up --sasl-ssl` exports. */
export function saslSslVariables(endpoint: StackSaslSsl): Record<string, string> {
  return {
    KAFKA_BROKERS: endpoint.brokers,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: endpoint.caFile,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: endpoint.username,
    KAFKA_SASL_PASSWORD_FILE: endpoint.passwordFile,
  };
}
