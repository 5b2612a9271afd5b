import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoicePushedToFinance } from '../../../src/invoice/invoice-events.ts';
import { type DedicatedBroker, startDedicatedBroker } from '../../../tools/stack/dedicated-broker.ts';
import { eventually } from '../../helpers/eventually.ts';
import { topicReader } from '../../helpers/kafka.ts';
import {
  financeForTest,
  infraForTest,
  logCapture,
  publishLinesIngested,
  serviceForTest,
  smallInvoice,
  testEnv,
} from '../../helpers/service.ts';
import { tlsMaterialForTest } from '../../helpers/tls.ts';

const CLI = fileURLToPath(new URL('../../../bin/invoice-finance-sync.ts', import.meta.url));
const USER = 'invoice-sync';
const PASSWORD = 'scram-password-4f1c9a7e';
/** Issue 13: a refused certificate or login stops the start within this. */
const START_FAILS_WITHIN_MS = 15_000;

interface CliRun {
  code: number | null;
  output: string;
  elapsedMs: number;
}

/** Runs the CLI with `env` (on top of this process's), capturing stdout and stderr together. */
function cli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, elapsedMs: Date.now() - started });
    });
  });
}

// One broker with a SASL_SSL listener (SCRAM users made by kafka-storage at format, certificate by
// openssl at start) and an SSL listener requiring a client certificate, next to its PLAINTEXT one.
describe('a Kafka cluster secured with TLS and SCRAM', () => {
  let broker: DedicatedBroker;
  let passwordFile: string;

  beforeAll(async () => {
    broker = await startDedicatedBroker({
      secure: { scramUsers: [{ username: USER, password: PASSWORD }], mtls: true },
      log: (line) => process.stderr.write(`[dedicated-broker] ${line}\n`),
    });
    const dir = mkdtempSync(join(tmpdir(), 'ifs-sasl-'));
    passwordFile = join(dir, 'kafka-password');
    writeFileSync(passwordFile, `${PASSWORD}\n`);
  });
  afterAll(() => broker?.close());

  const securedEnv = (overrides: Record<string, string> = {}, financeUrl?: string) => {
    const secure = broker.secure as NonNullable<DedicatedBroker['secure']>;
    return testEnv({
      ...(financeUrl ? { financeUrl } : {}),
      env: {
        KAFKA_BROKERS: secure.saslSslBrokers,
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: secure.tls.caFile,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: USER,
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
        ...overrides,
      },
    });
  };

  it('pushes end to end through the SASL_SSL listener, and no log line carries the password', async () => {
    const finance = await financeForTest();
    const env = securedEnv({}, finance.url);
    const { lines, logger } = logCapture();
    const service = await serviceForTest(env, { pusher: true, recorder: true }, logger);
    const infra = await infraForTest(env);
    const event = smallInvoice('INV-OVER-SASL-SSL');
    await publishLinesIngested(infra, event);

    // A fresh broker creates its offsets topic on the first group join: slow on a loaded machine.
    await eventually(() => finance.invoices().find((row) => row.external_id === 'INV-OVER-SASL-SSL'), {
      timeoutMs: 90_000,
      what: 'the invoice in finance',
    });
    const reader = await topicReader(infra.kafka, env.TOPIC_PUSHED_TO_FINANCE as string);
    const [pushed] = await reader.waitFor(1);
    await reader.close();
    const announced = await infra.codec.decode<InvoicePushedToFinance>(
      pushed?.value ?? null,
      infra.contracts.pushedToFinance,
    );
    expect([pushed?.key, announced.causation_event_id, announced.action]).toEqual([
      'platform-admin:digitalocean:INV-OVER-SASL-SSL',
      event.event_id,
      'created',
    ]);
    // Ready means the readiness probe's own client got through TLS and SCRAM too.
    await eventually(
      async () => ((await fetch(`${service.ops?.url}/readyz`)).status === 200 ? true : undefined),
      {
        what: '/readyz 200',
      },
    );
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes(PASSWORD))).toEqual([]);
  });

  it('a wrong password stops start with exit 78 within 15 s, naming Kafka, the user and the variables', async () => {
    const wrong = 'wrong-password-9d2e';
    const run = await cli(
      ['start'],
      securedEnv({ KAFKA_SASL_PASSWORD_FILE: '', KAFKA_SASL_PASSWORD: wrong, LOG_LEVEL: 'debug' }),
    );
    expect(run.code, run.output).toBe(78);
    expect(run.elapsedMs).toBeLessThan(START_FAILS_WITHIN_MS);
    expect(run.output).toContain(
      `invoice-finance-sync: CREDENTIALS_REFUSED: Kafka brokers ${broker.secure?.saslSslBrokers} refused the SASL login of "${USER}" (SCRAM-SHA-512): SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512; check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)`,
    );
    expect(run.output).not.toContain(wrong);
    expect(run.output).not.toContain(PASSWORD);
  });

  it('a wrong password stops a read-only command (dlq list) the same way', async () => {
    const wrong = 'wrong-password-3b7a';
    const run = await cli(
      ['dlq', 'list'],
      securedEnv({ KAFKA_SASL_PASSWORD_FILE: '', KAFKA_SASL_PASSWORD: wrong, LOG_LEVEL: 'debug' }),
    );
    expect(run.code, run.output).toBe(78);
    expect(run.elapsedMs).toBeLessThan(START_FAILS_WITHIN_MS);
    expect(run.output).toContain(
      `invoice-finance-sync: CREDENTIALS_REFUSED: Kafka brokers ${broker.secure?.saslSslBrokers} refused the SASL login of "${USER}" (SCRAM-SHA-512)`,
    );
    expect(run.output).not.toContain(wrong);
  });

  it('a CA that did not sign the broker’s certificate stops start with exit 78, naming KAFKA_SSL_CA_FILE', async () => {
    const stranger = await tlsMaterialForTest({ caName: 'some other CA' });
    const run = await cli(['start'], securedEnv({ KAFKA_SSL_CA_FILE: stranger.caFile, LOG_LEVEL: 'debug' }));
    expect(run.code, run.output).toBe(78);
    expect(run.elapsedMs).toBeLessThan(START_FAILS_WITHIN_MS);
    expect(run.output).toContain(
      `invoice-finance-sync: TLS_HANDSHAKE_FAILED: TLS handshake with Kafka brokers ${broker.secure?.saslSslBrokers}: its certificate was refused, it is not signed by a CA we trust (SELF_SIGNED_CERT_IN_CHAIN); set KAFKA_SSL_CA_FILE to the PEM certificate of the CA that signed it`,
    );
    expect(run.output).not.toContain(PASSWORD);
  });

  it('a plaintext client on the TLS port stops start with exit 78, saying to set KAFKA_SSL', async () => {
    const run = await cli(
      ['start'],
      securedEnv({ KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: '', LOG_LEVEL: 'debug' }),
    );
    expect(run.code, run.output).toBe(78);
    expect(run.elapsedMs).toBeLessThan(START_FAILS_WITHIN_MS);
    expect(run.output).toContain(
      `invoice-finance-sync: TLS_HANDSHAKE_FAILED: TLS handshake with Kafka broker ${broker.secure?.saslSslBrokers} never started: the port is a TLS (SASL_SSL or SSL) listener but KAFKA_SSL is false; set KAFKA_SSL=true (and KAFKA_SSL_CA_FILE if a private CA signed its certificate)`,
    );
    expect(run.output).not.toContain(PASSWORD);
  });

  it('a TLS client on the PLAINTEXT port stops start with exit 78, saying which port to use', async () => {
    const run = await cli(
      ['start'],
      securedEnv({
        KAFKA_BROKERS: broker.brokers,
        KAFKA_SASL_MECHANISM: '',
        KAFKA_SASL_USERNAME: '',
        KAFKA_SASL_PASSWORD_FILE: '',
      }),
    );
    expect(run.code, run.output).toBe(78);
    expect(run.elapsedMs).toBeLessThan(START_FAILS_WITHIN_MS);
    expect(run.output).toContain(
      `invoice-finance-sync: TLS_HANDSHAKE_FAILED: TLS handshake with Kafka broker ${broker.brokers} failed: the port is a PLAINTEXT listener but KAFKA_SSL is true; use the broker's TLS port in KAFKA_BROKERS, or set KAFKA_SSL=false`,
    );
  });

  it('reaches a listener that requires a client certificate with KAFKA_SSL_CERT_FILE/KEY_FILE, and says so without', async () => {
    const secure = broker.secure as NonNullable<DedicatedBroker['secure']>;
    const mtls = {
      KAFKA_BROKERS: secure.mtlsBrokers as string,
      KAFKA_SASL_MECHANISM: '',
      KAFKA_SASL_USERNAME: '',
      KAFKA_SASL_PASSWORD_FILE: '',
    };
    const withCertificate = await cli(
      ['schemas'],
      securedEnv({
        ...mtls,
        KAFKA_SSL_CERT_FILE: secure.tls.clientCertFile as string,
        KAFKA_SSL_KEY_FILE: secure.tls.clientKeyFile as string,
      }),
    );
    expect(withCertificate.code, withCertificate.output).toBe(0);
    const without = await cli(['schemas'], securedEnv(mtls));
    expect(without.code, without.output).toBe(78);
    expect(without.output).toMatch(
      /TLS_HANDSHAKE_FAILED: TLS handshake with Kafka brokers [\d.:]+ refused our client certificate \(ERR_SSL_SSL\/TLS_ALERT_BAD_CERTIFICATE\); the listener requires mutual TLS: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/,
    );
  });
});
