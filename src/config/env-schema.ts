import { isIP } from 'node:net';
import { z } from 'zod';
import { IDENTIFIER_RULES } from '../invoice/invoice-identity.ts';
import { checkConnectionSecurity } from './connection-rules.ts';
import { databaseUrlProblem } from './database-url.ts';

/**
 * Every environment variable the service reads, with its default and meaning. The keys ARE the
 * variable names, so a validation failure names the variable. `.env.example` and README.md's table
 * are generated from / checked against `ENV_DOCS` (test/config/env-docs.test.ts).
 */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

export const ENV_DOCS = {
  // Kafka
  KAFKA_BROKERS: ['127.0.0.1:9092', 'Comma-separated Kafka bootstrap brokers (host:port).'],
  KAFKA_CLIENT_ID: ['invoice-finance-sync', 'Kafka client id, shown in broker logs and quotas.'],
  // 10 s, not kafkajs's 30 s: a crashed member keeps its partitions (and stalls a rebalance) until its
  // session expires, measured in RELIABILITY.md. Slow pushes do not risk it: the batch processor
  // heartbeats while they are in flight (tulios/kafkajs#1396).
  KAFKA_SESSION_TIMEOUT_MS: [
    '10000',
    'Consumer group session timeout (ms): how long a crashed member keeps its partitions before the group moves them.',
  ],
  KAFKA_HEARTBEAT_INTERVAL_MS: [
    '1000',
    'Consumer heartbeat interval (ms); must be below a third of the session timeout.',
  ],
  KAFKA_REBALANCE_TIMEOUT_MS: [
    '60000',
    'How long the group waits for members to finish in-flight work when it rebalances (ms).',
  ],
  KAFKA_CREATE_TOPICS: [
    'true',
    'Create missing topics at start (input, output and both dead-letter topics).',
  ],
  KAFKA_TOPIC_PARTITIONS: [
    '6',
    'Partitions of topics created at start; the unit of parallelism and scaling.',
  ],
  KAFKA_TOPIC_REPLICATION: ['1', 'Replication factor of topics created at start (3 in production clusters).'],
  KAFKA_FETCH_MAX_BYTES: [
    '10485760',
    'Most bytes one fetch response may carry (kafkajs maxBytes); with the in-flight bounds it caps memory on a backlog.',
  ],
  KAFKA_FETCH_MAX_BYTES_PER_PARTITION: [
    '1048576',
    'Most bytes of one partition in a fetch response (kafkajs maxBytesPerPartition); at least the largest record.',
  ],
  KAFKA_READ_GROUP_PREFIX: [
    'invoice-finance-sync',
    'Prefix of the short-lived consumer groups that one-shot reads (replay, dlq, console searches) join and delete after; grant ACLs on it.',
  ],
  KAFKA_SSL: ['false', 'Connect to the brokers over TLS (their SASL_SSL or SSL listener).'],
  KAFKA_SSL_CA_FILE: [
    '',
    'PEM file of the CA that signed the brokers’ certificates; without it the system CAs are trusted.',
  ],
  KAFKA_SSL_CERT_FILE: ['', 'PEM client certificate for mutual TLS (with KAFKA_SSL_KEY_FILE).'],
  KAFKA_SSL_KEY_FILE: ['', 'PEM private key (unencrypted) of KAFKA_SSL_CERT_FILE.'],
  KAFKA_SASL_MECHANISM: [
    '',
    'SASL login to the brokers: plain, scram-sha-256 or scram-sha-512 (unset: none).',
  ],
  KAFKA_SASL_USERNAME: ['', 'SASL user name (with KAFKA_SASL_MECHANISM).'],
  KAFKA_SASL_PASSWORD: ['', 'SASL password; never logged.'],
  KAFKA_SASL_PASSWORD_FILE: [
    '',
    'File holding the SASL password (takes precedence over KAFKA_SASL_PASSWORD).',
  ],
  SCHEMA_REGISTRY_URL: ['http://127.0.0.1:8081/apis/ccompat/v7', 'Confluent-API schema registry base URL.'],
  SCHEMA_REGISTRY_USERNAME: ['', 'Registry basic-auth user (e.g. a Confluent Cloud API key).'],
  SCHEMA_REGISTRY_PASSWORD: ['', 'Registry basic-auth password (e.g. the API secret); never logged.'],
  SCHEMA_REGISTRY_PASSWORD_FILE: [
    '',
    'File holding the registry password (takes precedence over SCHEMA_REGISTRY_PASSWORD).',
  ],
  SCHEMA_REGISTRY_CA_FILE: ['', 'PEM file of the CA that signed an https registry’s certificate.'],
  TOPIC_LINES_INGESTED: ['invoice.lines_ingested', 'Input topic (Avro InvoiceLinesIngested).'],
  TOPIC_PUSHED_TO_FINANCE: ['invoice.pushed_to_finance', 'Output topic (Avro InvoicePushedToFinance).'],
  TOPIC_LINES_INGESTED_DLQ: [
    'invoice.lines_ingested.dlq',
    'Dead-letter topic for events that can never be pushed.',
  ],
  TOPIC_PUSHED_TO_FINANCE_DLQ: [
    'invoice.pushed_to_finance.dlq',
    'Dead-letter topic of the recorder (pushed events it cannot read).',
  ],
  PUSHER_GROUP_ID: ['invoice-finance-pusher', 'Consumer group of the pusher.'],
  RECORDER_GROUP_ID: ['invoice-finance-recorder', 'Consumer group of the recorder.'],
  PUSHER_MAX_IN_FLIGHT: [
    '16',
    'Finance pushes in flight at once, across partitions and keys (order kept per key).',
  ],
  PUSHER_MAX_ATTEMPTS: [
    '5',
    'Attempts of an event failing with an unclassified error before it is dead-lettered as UNEXPECTED; counted across pauses, reset by a restart.',
  ],
  RECORDER_MAX_IN_FLIGHT: ['16', 'Recorder writes in flight at once, across partitions and keys.'],
  RECORDER_MAX_ATTEMPTS: [
    '5',
    'The recorder’s attempt budget for unclassified errors (as PUSHER_MAX_ATTEMPTS).',
  ],
  PUSHER_PAUSE_ON_TRANSIENT_MS: [
    '15000',
    'How long a partition stays paused after finance stayed unavailable through all retries (ms).',
  ],
  SYSTEMIC_BACKOFF_MS: [
    '5000',
    'First wait before consuming again after a systemic failure (ms); doubles up to 60 s. A database or registry failure ends the wait as soon as that server answers again.',
  ],
  // 8 MiB and 50,000 lines: five times the lines of the largest invoice measured (10,000 lines, a
  // 330 kB Avro record, a 630 kB finance body: BENCHMARKS.md), and room for long line texts.
  EVENT_MAX_BYTES: [
    '8388608',
    'Largest record value (bytes) either consumer decodes; a larger one is dead-lettered as EVENT_TOO_LARGE.',
  ],
  EVENT_MAX_LINES: [
    '50000',
    'Most lines of one invoice; a longer one is dead-lettered as INVOICE_TOO_MANY_LINES.',
  ],
  REGISTER_SCHEMAS_ON_START: ['true', 'Register schemas/*.avsc (BACKWARD) at start.'],
  // Database
  DATABASE_URL: [
    'postgres://postgres@127.0.0.1:5432/invoice_finance_sync',
    'PostgreSQL connection URL; TLS with ?sslmode=require, verify-ca or verify-full (as libpq). In the password, percent-encode / ? # % (as %2F %3F %23 %25); @ may stay as it is.',
  ],
  DATABASE_CA_FILE: [
    '',
    'PEM file of the CA that signed PostgreSQL’s certificate (sslmode verify-ca/-full).',
  ],
  MIGRATE_ON_START: ['true', 'Apply pending migrations at start.'],
  // Finance
  SKYAI_FINANCE_URL: ['http://localhost:4010', 'Finance service base URL.'],
  FINANCE_CA_FILE: ['', 'PEM file of the CA that signed an https finance URL’s certificate.'],
  FINANCE_JWT_SECRET: [
    '',
    'Shared HMAC secret (at least 32 bytes). Without it (or the _FILE variant) pushing is disabled.',
  ],
  FINANCE_JWT_SECRET_FILE: ['', 'File holding the shared secret (takes precedence over FINANCE_JWT_SECRET).'],
  FINANCE_JWT_ALGORITHM: ['HS512', 'JWT signing algorithm: HS256, HS384 or HS512.'],
  FINANCE_JWT_ISSUER: ['skyai_finance', 'JWT iss claim.'],
  FINANCE_JWT_AUDIENCE: ['skyai_finance', 'JWT aud claim.'],
  FINANCE_JWT_TTL_SECONDS: ['60', 'Token lifetime (s), at most 300.'],
  FINANCE_IDENTITY: [
    'fixed',
    'Token identity: fixed (FINANCE_TENANT_ID for every push) or event-tenant (the event’s tenant_id).',
  ],
  FINANCE_TENANT_ID: [
    'platform-admin',
    'The configured identity (JWT sub and tenant_id): every push in fixed mode, and the 403 probe.',
  ],
  FINANCE_ROLES: ['admin', 'Comma-separated roles in the token; admin passes finance write-role check.'],
  FINANCE_CONNECTIONS: ['16', 'Maximum keep-alive connections to finance.'],
  FINANCE_CONNECT_TIMEOUT_MS: ['5000', 'TCP connect timeout to finance (ms).'],
  FINANCE_HEADERS_TIMEOUT_MS: ['30000', 'Time to wait for finance response headers (ms).'],
  FINANCE_BODY_TIMEOUT_MS: ['10000', 'Time to wait between finance response body chunks (ms).'],
  FINANCE_PUSH_DEADLINE_MS: [
    '45000',
    'One deadline per push, retries included (ms); below KAFKA_REBALANCE_TIMEOUT_MS.',
  ],
  FINANCE_MAX_RETRIES: ['4', 'Retries of a transient finance failure before the partition is paused.'],
  FINANCE_RETRY_MIN_DELAY_MS: ['200', 'First retry backoff (ms); doubles with jitter.'],
  FINANCE_RETRY_MAX_DELAY_MS: ['5000', 'Largest retry backoff (ms), also the cap on Retry-After.'],
  TAX_WORDS: ['gst,tax,taxes', 'Words that mark a line as tax (whole words, any case).'],
  TAX_WORDS_BY_PROVIDER: ['', 'Per-provider word lists: "aws=tax,vat;gcp=tax".'],
  // Operations
  HTTP_HOST: ['0.0.0.0', 'Address of the health, metrics and console server.'],
  HTTP_PORT: ['9464', 'Port of /healthz, /readyz, /metrics and the console (0 picks a free port).'],
  LOG_LEVEL: ['info', 'fatal, error, warn, info, debug or trace.'],
  LOG_PRETTY: ['false', 'Human-readable logs instead of JSON (local use).'],
  SHUTDOWN_TIMEOUT_MS: ['30000', 'Deadline for a graceful shutdown on SIGTERM/SIGINT (ms).'],
  OPS_CONSOLE: [
    'true',
    'Serve the operations console at / on HTTP_PORT (false: only /healthz, /readyz, /metrics).',
  ],
  OPS_CONSOLE_TOKEN: [
    '',
    'Token (16+ characters) that signs in to the console, for reading and for actions (redrive, replay). Unset: the console is off.',
  ],
  OPS_CONSOLE_TOKEN_FILE: ['', 'File holding the console token (takes precedence over OPS_CONSOLE_TOKEN).'],
  OPS_CONSOLE_RECENT_PUSHES: ['500', 'Push outcomes the console keeps in memory for its recent pushes page.'],
  OPS_CONSOLE_LAG_SAMPLE_MS: ['5000', 'How often the console samples consumer lag for its sparklines (ms).'],
  OPS_READ_MAX_RECORDS: [
    '10000',
    'Records one console topic read (replay preview, invoice search) reads at most; the page says when it stopped early.',
  ],
  OPS_READ_TIMEOUT_MS: [
    '10000',
    'Time one console topic read may take (ms), joining its short-lived group included; the page says when it stopped early.',
  ],
  OPS_READ_CONCURRENCY: ['2', 'Console requests that read topics at once; more wait their turn.'],
  OPS_PUBLIC_ORIGIN: [
    '',
    'The origin browsers use to reach the console behind a reverse proxy (e.g. https://ops.example.com): sign-in forms must come from it, and https makes the session cookie Secure. Unset: the Host header.',
  ],
  OPS_TRUSTED_PROXIES: [
    '',
    'Comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For gives the client address (audit log, sign-in throttle). Unset: the peer address.',
  ],
  OPS_SIGN_IN_PER_MINUTE: [
    '10',
    'Console sign-in attempts one client address may make per minute; more are answered 429.',
  ],
} as const satisfies Record<string, readonly [string, string]>;

export type EnvName = keyof typeof ENV_DOCS;

/** The shortest console token accepted (OPS_CONSOLE_TOKEN or OPS_CONSOLE_TOKEN_FILE). */
export const MIN_CONSOLE_TOKEN_LENGTH = 16;

const SINGLE_WORD = /^[\p{L}\p{N}]+$/u;

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

const taxWordsByProvider = z.string().transform((s, ctx) => {
  const table: Record<string, string[]> = {};
  for (const entry of s.split(';').filter((e) => e.trim() !== '')) {
    const [provider, words] = entry.split('=');
    if (!provider?.trim() || !words?.trim()) {
      ctx.addIssue({ code: 'custom', message: `expected "provider=word,word;..." but got "${entry}"` });
      return z.NEVER;
    }
    const list = words
      .split(',')
      .map((w) => w.trim().toLowerCase())
      .filter(Boolean);
    // A word of two tokens could never match a token and would silently turn tax lines into net.
    const notOneWord = list.find((w) => !SINGLE_WORD.test(w));
    if (notOneWord !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `single words of letters or digits, but "${notOneWord}" (for ${provider.trim()}) is not one`,
      });
      return z.NEVER;
    }
    table[provider.trim()] = list;
  }
  return table;
});

export const envSchema = z
  .object({
    KAFKA_BROKERS: csv.pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1)),
    KAFKA_CLIENT_ID: z.string().min(1),
    KAFKA_SESSION_TIMEOUT_MS: int(6_000, 300_000),
    KAFKA_HEARTBEAT_INTERVAL_MS: int(100, 100_000),
    KAFKA_REBALANCE_TIMEOUT_MS: int(6_000, 600_000),
    KAFKA_CREATE_TOPICS: bool,
    KAFKA_TOPIC_PARTITIONS: int(1, 10_000),
    KAFKA_TOPIC_REPLICATION: int(1, 10),
    KAFKA_FETCH_MAX_BYTES: int(1_024, 1_073_741_824),
    KAFKA_FETCH_MAX_BYTES_PER_PARTITION: int(1_024, 1_073_741_824),
    KAFKA_READ_GROUP_PREFIX: z.string().min(1),
    KAFKA_SSL: bool,
    KAFKA_SSL_CA_FILE: z.string(),
    KAFKA_SSL_CERT_FILE: z.string(),
    KAFKA_SSL_KEY_FILE: z.string(),
    KAFKA_SASL_MECHANISM: z.enum(['', 'plain', 'scram-sha-256', 'scram-sha-512']),
    KAFKA_SASL_USERNAME: z.string(),
    KAFKA_SASL_PASSWORD: z.string(),
    KAFKA_SASL_PASSWORD_FILE: z.string(),
    SCHEMA_REGISTRY_URL: url,
    SCHEMA_REGISTRY_USERNAME: z.string(),
    SCHEMA_REGISTRY_PASSWORD: z.string(),
    SCHEMA_REGISTRY_PASSWORD_FILE: z.string(),
    SCHEMA_REGISTRY_CA_FILE: z.string(),
    TOPIC_LINES_INGESTED: z.string().min(1),
    TOPIC_PUSHED_TO_FINANCE: z.string().min(1),
    TOPIC_LINES_INGESTED_DLQ: z.string().min(1),
    TOPIC_PUSHED_TO_FINANCE_DLQ: z.string().min(1),
    PUSHER_GROUP_ID: z.string().min(1),
    RECORDER_GROUP_ID: z.string().min(1),
    PUSHER_MAX_IN_FLIGHT: int(1, 1024),
    PUSHER_MAX_ATTEMPTS: int(1, 1_000),
    RECORDER_MAX_IN_FLIGHT: int(1, 1024),
    RECORDER_MAX_ATTEMPTS: int(1, 1_000),
    PUSHER_PAUSE_ON_TRANSIENT_MS: int(100, 3_600_000),
    SYSTEMIC_BACKOFF_MS: int(10, 600_000),
    EVENT_MAX_BYTES: int(1_024, 1_073_741_824),
    EVENT_MAX_LINES: int(1, 10_000_000),
    REGISTER_SCHEMAS_ON_START: bool,
    // Checked as MikroORM will read it (database-url.ts): a password with `/` or `%` unencoded is refused.
    DATABASE_URL: z.string().superRefine((value, ctx) => {
      const problem = databaseUrlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `expected ${problem}` });
    }),
    DATABASE_CA_FILE: z.string(),
    MIGRATE_ON_START: bool,
    SKYAI_FINANCE_URL: url,
    FINANCE_CA_FILE: z.string(),
    FINANCE_JWT_SECRET: z.string(),
    FINANCE_JWT_SECRET_FILE: z.string(),
    FINANCE_JWT_ALGORITHM: z.enum(['HS256', 'HS384', 'HS512']),
    FINANCE_JWT_ISSUER: z.string().min(1),
    FINANCE_JWT_AUDIENCE: z.string().min(1),
    FINANCE_JWT_TTL_SECONDS: int(5, 300),
    FINANCE_IDENTITY: z.enum(['fixed', 'event-tenant']),
    // The tenant rule of events: this identity goes into tokens and the probe as a tenant_id does.
    FINANCE_TENANT_ID: z.string().regex(IDENTIFIER_RULES.tenant_id.pattern, IDENTIFIER_RULES.tenant_id.rule),
    FINANCE_ROLES: csv.pipe(z.array(z.string()).min(1, 'expected at least one role')),
    FINANCE_CONNECTIONS: int(1, 1024),
    FINANCE_CONNECT_TIMEOUT_MS: int(100, 120_000),
    FINANCE_HEADERS_TIMEOUT_MS: int(100, 600_000),
    FINANCE_BODY_TIMEOUT_MS: int(100, 600_000),
    FINANCE_PUSH_DEADLINE_MS: int(100, 600_000),
    FINANCE_MAX_RETRIES: int(0, 20),
    FINANCE_RETRY_MIN_DELAY_MS: int(1, 60_000),
    FINANCE_RETRY_MAX_DELAY_MS: int(1, 600_000),
    TAX_WORDS: csv.pipe(z.array(z.string().regex(SINGLE_WORD, 'expected single words')).min(1)),
    TAX_WORDS_BY_PROVIDER: taxWordsByProvider,
    HTTP_HOST: z.string().min(1),
    HTTP_PORT: int(0, 65_535),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    LOG_PRETTY: bool,
    SHUTDOWN_TIMEOUT_MS: int(100, 600_000),
    OPS_CONSOLE: bool,
    OPS_CONSOLE_TOKEN: z
      .string()
      .refine(
        (token) => token === '' || token.length >= MIN_CONSOLE_TOKEN_LENGTH,
        `at least ${MIN_CONSOLE_TOKEN_LENGTH} characters (unset: the console is off)`,
      ),
    OPS_CONSOLE_TOKEN_FILE: z.string(),
    OPS_CONSOLE_RECENT_PUSHES: int(1, 100_000),
    OPS_CONSOLE_LAG_SAMPLE_MS: int(500, 600_000),
    OPS_READ_MAX_RECORDS: int(1, 10_000_000),
    OPS_READ_TIMEOUT_MS: int(100, 600_000),
    OPS_READ_CONCURRENCY: int(1, 64),
    OPS_PUBLIC_ORIGIN: publicOrigin,
    OPS_TRUSTED_PROXIES: csv.pipe(
      z.array(z.string().refine(isAddressOrCidr, 'expected IP addresses or CIDRs')),
    ),
    OPS_SIGN_IN_PER_MINUTE: int(1, 10_000),
  })
  .superRefine((env, ctx) => {
    if (env.KAFKA_HEARTBEAT_INTERVAL_MS * 3 > env.KAFKA_SESSION_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_HEARTBEAT_INTERVAL_MS'],
        message: `expected at most a third of KAFKA_SESSION_TIMEOUT_MS (${env.KAFKA_SESSION_TIMEOUT_MS})`,
      });
    }
    if (env.FINANCE_PUSH_DEADLINE_MS >= env.KAFKA_REBALANCE_TIMEOUT_MS) {
      // A push outliving the rebalance would get its member expelled while it still announces.
      ctx.addIssue({
        code: 'custom',
        path: ['FINANCE_PUSH_DEADLINE_MS'],
        message: `expected below KAFKA_REBALANCE_TIMEOUT_MS (${env.KAFKA_REBALANCE_TIMEOUT_MS})`,
      });
    }
    if (env.KAFKA_REBALANCE_TIMEOUT_MS < env.KAFKA_SESSION_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_REBALANCE_TIMEOUT_MS'],
        message: `expected at least KAFKA_SESSION_TIMEOUT_MS (${env.KAFKA_SESSION_TIMEOUT_MS})`,
      });
    }
    if (env.FINANCE_RETRY_MIN_DELAY_MS > env.FINANCE_RETRY_MAX_DELAY_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['FINANCE_RETRY_MIN_DELAY_MS'],
        message: `expected at most FINANCE_RETRY_MAX_DELAY_MS (${env.FINANCE_RETRY_MAX_DELAY_MS})`,
      });
    }
    checkConnectionSecurity(env, ctx);
  });

export type Env = z.output<typeof envSchema>;
