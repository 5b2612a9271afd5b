// Throwaway TLS material for local secured servers (a Kafka SASL_SSL listener, an HTTPS finance
// server, a TLS PostgreSQL): a self-signed CA, a server certificate it signs for the given hosts,
// that certificate as a PKCS12 keystore for the JVM, and optionally a client certificate for mTLS.
// Made with `openssl` (always present where `keytool` is, and faster than one JVM per step).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface TlsMaterialOptions {
  /** Names and addresses the server certificate is valid for (default: localhost and 127.0.0.1). */
  hosts?: string[];
  /** Common name of the CA, to tell several CAs apart in error messages. */
  caName?: string;
  /** Also make a client certificate signed by the same CA (for mutual TLS). */
  client?: boolean;
}

export interface TlsMaterial {
  dir: string;
  /** PEM certificate of the CA: what a client trusts (KAFKA_SSL_CA_FILE, FINANCE_CA_FILE...). */
  caFile: string;
  /** PEM server certificate and its unencrypted PKCS#8 key. */
  certFile: string;
  keyFile: string;
  /** PKCS12 keystore holding the server key and its chain (certificate + CA), for Java servers. */
  keystoreFile: string;
  keystorePassword: string;
  /** PEM client certificate and key, when asked for. */
  clientCertFile?: string;
  clientKeyFile?: string;
}

const VALID_DAYS = '30';

function openssl(args: string[], cwd: string): void {
  const out = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 30_000 });
  if (out.error) throw new Error(`cannot run openssl (is it installed?): ${out.error.message}`);
  if (out.status !== 0) throw new Error(`openssl ${args[0]} failed (exit ${out.status}):\n${out.stderr}`);
}

// EC P-256 keys: generated in milliseconds, accepted by Java, Node and PostgreSQL alike.
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function subjectAltName(hosts: string[]): string {
  return hosts.map((host) => (isIP(host) ? `IP:${host}` : `DNS:${host}`)).join(',');
}

function makeCa(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      ...NEW_KEY,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      VALID_DAYS,
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

function signed(dir: string, name: string, commonName: string, extensions: string): void {
  openssl(
    ['req', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${commonName}`],
    dir,
  );
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      VALID_DAYS,
      '-extfile',
      `${name}.ext`,
    ],
    dir,
  );
}

/** Writes a fresh CA and certificates into `dir` (created if needed) and returns their paths. */
export function makeTlsMaterial(dir: string, options: TlsMaterialOptions = {}): TlsMaterial {
  const hosts = options.hosts ?? ['localhost', '127.0.0.1'];
  mkdirSync(dir, { recursive: true });
  makeCa(dir, options.caName ?? 'invoice-finance-sync local CA');
  signed(
    dir,
    'server',
    hosts[0] ?? 'localhost',
    `subjectAltName=${subjectAltName(hosts)}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`,
  );
  const keystorePassword = randomBytes(12).toString('hex');
  openssl(
    [
      'pkcs12',
      '-export',
      '-in',
      'server.pem',
      '-inkey',
      'server.key',
      '-certfile',
      'ca.pem',
      '-name',
      'server',
      '-out',
      'server.p12',
      '-passout',
      `pass:${keystorePassword}`,
    ],
    dir,
  );
  const material: TlsMaterial = {
    dir,
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
    keystoreFile: join(dir, 'server.p12'),
    keystorePassword,
  };
  if (!options.client) return material;
  signed(dir, 'client', 'invoice-finance-sync', 'extendedKeyUsage=clientAuth\n');
  return { ...material, clientCertFile: join(dir, 'client.pem'), clientKeyFile: join(dir, 'client.key') };
}
