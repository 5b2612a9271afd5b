import { readFileSync } from 'node:fs';
import { SyncError } from '../failures/errors.ts';

/**
 * Files named by configuration variables (secrets, certificates), read once at start so that a
 * wrong path stops the process at once with the variable named, not on the first connection.
 */

/** The `CONFIG_INVALID` error; each line starts with the variable it is about. */
export function configError(lines: string[]): SyncError {
  return new SyncError('CONFIG_INVALID', `invalid configuration:\n  ${lines.join('\n  ')}`, {
    details: { variables: lines.map((l) => l.split(':')[0]) },
  });
}

/** A file's text; a missing or unreadable file is a configuration error naming `variable`. */
export function readConfigFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw configError([`${variable}: cannot read ${JSON.stringify(path)} (${reason})`]);
  }
}

/** A secret from `<NAME>_FILE` when given (trailing newline dropped), else the inline value. */
export function readSecretValue(variable: string, inline: string, file: string): string {
  return file ? readConfigFile(`${variable}_FILE`, file).trim() : inline;
}

const PEM_BLOCK = {
  certificate: /-----BEGIN CERTIFICATE-----/,
  'private key': /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/,
} as const;

/**
 * A PEM file's text, or undefined when the variable is unset. Checked for the expected block so
 * that a keystore (JKS, PKCS12) or a DER file is refused at start, naming the variable.
 */
export function readPemFile(
  variable: string,
  path: string,
  holds: keyof typeof PEM_BLOCK,
): string | undefined {
  if (!path) return undefined;
  const text = readConfigFile(variable, path);
  if (!PEM_BLOCK[holds].test(text)) {
    throw configError([
      `${variable}: ${JSON.stringify(path)} holds no PEM ${holds} (expected a "-----BEGIN ${holds === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY'}-----" block; convert a keystore with openssl)`,
    ]);
  }
  return text;
}
