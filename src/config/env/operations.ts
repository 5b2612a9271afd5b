import { isIP } from 'node:net';
import { z } from 'zod';
import { defineVars } from './define-vars.ts';
import { bool, csv, int, name, text } from './value-schemas.ts';

/** The shortest console token accepted (OPS_CONSOLE_TOKEN or OPS_CONSOLE_TOKEN_FILE). */
export const MIN_CONSOLE_TOKEN_LENGTH = 16;

export const OPERATIONS_VARS = defineVars('Operations', {
  HTTP_HOST: {
    default: '0.0.0.0',
    doc: 'Address of the health, metrics and console server.',
    schema: name,
  },
  HTTP_PORT: {
    default: '9464',
    doc: 'Port of /healthz, /readyz, /metrics and the console (0 picks a free port).',
    schema: int(0, 65_535),
  },
  LOG_LEVEL: {
    default: 'info',
    doc: 'fatal, error, warn, info, debug or trace.',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
  LOG_PRETTY: { default: 'false', doc: 'Human-readable logs instead of JSON (local use).', schema: bool },
  SHUTDOWN_TIMEOUT_MS: {
    default: '30000',
    doc: 'Deadline for a graceful shutdown on SIGTERM/SIGINT (ms).',
    schema: int(100, 600_000),
  },
  SERVICE_HEAP_MIB: {
    default: '160',
    doc: 'V8 old generation (MiB) that start gives itself when the process has no memory limit (cgroup) and no heap argument of node: it starts itself again in place (same pid) with it. 0: Node sizes the heap from the host memory.',
    schema: int(0, 65_536).refine((mib) => mib === 0 || mib >= 64, 'expected 0 or at least 64'),
  },
});

/** An origin only (scheme, host, port): what a browser sends in Origin, so compared as it is. */
const publicOrigin = z.string().transform((s, ctx) => {
  if (s === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(s);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected an origin such as https://ops.example.com' });
    return z.NEVER;
  }
  if (!/^https?:$/.test(parsed.protocol) || s.replace(/\/$/, '') !== parsed.origin) {
    ctx.addIssue({ code: 'custom', message: `expected only scheme, host and port, e.g. ${parsed.origin}` });
    return z.NEVER;
  }
  return parsed.origin;
});

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

export const CONSOLE_VARS = defineVars('Operations console', {
  OPS_CONSOLE: {
    default: 'true',
    doc: 'Serve the operations console at / on HTTP_PORT (false: only /healthz, /readyz, /metrics).',
    schema: bool,
  },
  OPS_CONSOLE_TOKEN: {
    default: '',
    doc: 'Token (16+ characters) that signs in to the console, for reading and for actions (redrive, replay). Unset: the console is off.',
    schema: z
      .string()
      .refine(
        (token) => token === '' || token.length >= MIN_CONSOLE_TOKEN_LENGTH,
        `at least ${MIN_CONSOLE_TOKEN_LENGTH} characters (unset: the console is off)`,
      ),
  },
  OPS_CONSOLE_TOKEN_FILE: {
    default: '',
    doc: 'File holding the console token (takes precedence over OPS_CONSOLE_TOKEN).',
    schema: text,
  },
  OPS_CONSOLE_RECENT_PUSHES: {
    default: '500',
    doc: 'Push outcomes the console keeps in memory for its recent pushes page.',
    schema: int(1, 100_000),
  },
  OPS_CONSOLE_LAG_SAMPLE_MS: {
    default: '5000',
    doc: 'How often the console samples consumer lag for its sparklines (ms).',
    schema: int(500, 600_000),
  },
  OPS_READ_MAX_RECORDS: {
    default: '10000',
    doc: 'Records one console topic read (replay preview, invoice search) reads at most; the page says when it stopped early.',
    schema: int(1, 10_000_000),
  },
  OPS_READ_TIMEOUT_MS: {
    default: '10000',
    doc: 'Time one console topic read may take (ms), joining its short-lived group included; the page says when it stopped early.',
    schema: int(100, 600_000),
  },
  OPS_READ_CONCURRENCY: {
    default: '2',
    doc: 'Console requests that read topics at once; more wait their turn.',
    schema: int(1, 64),
  },
  OPS_PUBLIC_ORIGIN: {
    default: '',
    doc: 'The origin browsers use to reach the console behind a reverse proxy (e.g. https://ops.example.com): sign-in forms must come from it, and https makes the session cookie Secure. Unset: the Host header.',
    schema: publicOrigin,
  },
  OPS_TRUSTED_PROXIES: {
    default: '',
    doc: 'Comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For gives the client address (audit log, sign-in throttle). Unset: the peer address.',
    schema: csv.pipe(z.array(z.string().refine(isAddressOrCidr, 'expected IP addresses or CIDRs'))),
  },
  OPS_SIGN_IN_PER_MINUTE: {
    default: '10',
    doc: 'Console sign-in attempts one client address may make per minute; more are answered 429.',
    schema: int(1, 10_000),
  },
});
