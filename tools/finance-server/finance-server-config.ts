import { readFileSync } from 'node:fs';

/**
 * Configuration of the standalone finance server (`main.ts`), read once from the environment.
 * Same secret variables and rules as the service (DESIGN.md): `FINANCE_JWT_SECRET` or
 * `FINANCE_JWT_SECRET_FILE`, at least 32 bytes. Error messages name variables, never the secret.
 */
export interface FinanceServerConfig {
  port: number;
  host: string;
  secret: Uint8Array;
  issuer: string | undefined;
  audience: string | undefined;
  algorithms: string[] | undefined;
  /** HTTPS with this PEM certificate and key (FINANCE_SERVER_TLS_CERT_FILE, FINANCE_SERVER_TLS_KEY_FILE). */
  tls: { cert: string; key: string } | undefined;
}

export class FinanceServerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FinanceServerConfigError';
  }
}

const DEFAULT_PORT = 4010; // what SKYAI_FINANCE_URL defaults to on the service side
const DEFAULT_HOST = '127.0.0.1';
const MIN_SECRET_BYTES = 32;

export function readFinanceServerConfig(env: NodeJS.ProcessEnv): FinanceServerConfig {
  return {
    port: readPort(env.FINANCE_SERVER_PORT),
    host: nonEmpty(env.FINANCE_SERVER_HOST) ?? DEFAULT_HOST,
    secret: readSecret(env),
    issuer: nonEmpty(env.FINANCE_JWT_ISSUER),
    audience: nonEmpty(env.FINANCE_JWT_AUDIENCE),
    algorithms: nonEmpty(env.FINANCE_JWT_ALGORITHMS)
      ?.split(',')
      .map((algorithm) => algorithm.trim())
      .filter((algorithm) => algorithm !== ''),
    tls: readTls(env),
  };
}

function readPort(value: string | undefined): number {
  if (nonEmpty(value) === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new FinanceServerConfigError(`FINANCE_SERVER_PORT must be an integer 0..65535, got "${value}"`);
  }
  return port;
}

function readSecret(env: NodeJS.ProcessEnv): Uint8Array {
  const inline = nonEmpty(env.FINANCE_JWT_SECRET);
  const file = nonEmpty(env.FINANCE_JWT_SECRET_FILE);
  if (inline !== undefined && file !== undefined) {
    throw new FinanceServerConfigError('set FINANCE_JWT_SECRET or FINANCE_JWT_SECRET_FILE, not both');
  }
  if (inline === undefined && file === undefined) {
    throw new FinanceServerConfigError('FINANCE_JWT_SECRET or FINANCE_JWT_SECRET_FILE is required');
  }
  const secret = inline ?? readSecretFile(file as string);
  const bytes = new TextEncoder().encode(secret);
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    const variable = inline === undefined ? 'FINANCE_JWT_SECRET_FILE' : 'FINANCE_JWT_SECRET';
    throw new FinanceServerConfigError(
      `the JWT secret from ${variable} is ${bytes.byteLength} bytes; at least ${MIN_SECRET_BYTES} are required`,
    );
  }
  return bytes;
}

// Secret files usually end with a newline that is not part of the secret.
function readSecretFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new FinanceServerConfigError(`FINANCE_JWT_SECRET_FILE ${path} cannot be read (${reason})`);
  }
}

function readTls(env: NodeJS.ProcessEnv): FinanceServerConfig['tls'] {
  const certFile = nonEmpty(env.FINANCE_SERVER_TLS_CERT_FILE);
  const keyFile = nonEmpty(env.FINANCE_SERVER_TLS_KEY_FILE);
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    throw new FinanceServerConfigError(
      'set both FINANCE_SERVER_TLS_CERT_FILE and FINANCE_SERVER_TLS_KEY_FILE, or neither',
    );
  }
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new FinanceServerConfigError(
        `${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  };
  return {
    cert: read('FINANCE_SERVER_TLS_CERT_FILE', certFile),
    key: read('FINANCE_SERVER_TLS_KEY_FILE', keyFile),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
