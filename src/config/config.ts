import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { EventLimits } from '../invoice/event-limits.ts';
import { ANY_PROVIDER } from '../invoice/tax-rule.ts';
import { configError, readSecretValue } from './config-files.ts';
import {
  type ClientTls,
  type DatabaseTls,
  databaseTls,
  financeCa,
  type KafkaSasl,
  kafkaSasl,
  kafkaTls,
  type RegistryConfig,
  registryConfig,
} from './connection-config.ts';
import { maskUrlPassword } from './database-url.ts';
import { MIN_CONSOLE_TOKEN_LENGTH } from './env/operations.ts';
import { ENV_VARS, type Env, type EnvName, envSchema } from './env-schema.ts';
import { type FairScheduling, fairScheduling } from './fair-scheduling.ts';

/** The only module that reads the environment. Everything else receives a frozen `Config`. */
export interface Config {
  kafka: {
    brokers: string[];
    clientId: string;
    sessionTimeoutMs: number;
    heartbeatIntervalMs: number;
    rebalanceTimeoutMs: number;
    createTopics: { enabled: boolean; partitions: number; replication: number };
    /** kafkajs fetch bounds: bytes of one fetch response, and of one partition in it. */
    fetch: { maxBytes: number; maxBytesPerPartition: number };
    /** Prefix of the groups one-shot reads join and delete after (KAFKA_READ_GROUP_PREFIX). */
    readGroupPrefix: string;
    /** Undefined for a PLAINTEXT listener. */
    tls: ClientTls | undefined;
    sasl: KafkaSasl | undefined;
  };
  schemaRegistry: RegistryConfig;
  registerSchemasOnStart: boolean;
  topics: { linesIngested: string; pushedToFinance: string; deadLetter: string; recorderDeadLetter: string };
  pusher: {
    groupId: string;
    maxInFlight: number;
    maxAttempts: number;
    pauseOnTransientMs: number;
    /** Finance calls handed to tenants in turn, within a read-ahead; undefined: in offset order. */
    fair: FairScheduling | undefined;
  };
  recorder: { groupId: string; maxInFlight: number; maxAttempts: number };
  /** Bounds of one event (EVENT_MAX_BYTES, EVENT_MAX_LINES); beyond them it is dead-lettered. */
  events: EventLimits;
  systemicBackoffMs: number;
  database: { url: string; migrateOnStart: boolean; tls: DatabaseTls };
  finance: FinanceConfig;
  /** Tax words by provider; `*` holds TAX_WORDS for every provider without its own list. */
  taxWords: Record<string, string[]>;
  http: { host: string; port: number; trustedProxies: string[] };
  /** The operations console on the ops HTTP server; off unless `enabled` and a `token` is set. */
  console: {
    enabled: boolean;
    token: string | undefined;
    recentPushes: number;
    lagSampleMs: number;
    publicOrigin: string | undefined;
    signInsPerMinute: number;
    /** Bounds of one topic read for a page, and how many such reads run at once. */
    reads: { maxRecords: number; timeoutMs: number; concurrency: number };
  };
  log: { level: Env['LOG_LEVEL']; pretty: boolean };
  shutdownTimeoutMs: number;
  tracing: TracingConfig;
  /** SERVICE_HEAP_MIB: the old generation `start` gives itself without a memory limit (0: Node's choice). */
  heapMib: number;
}

/** OpenTelemetry tracing: on when `tracesUrl` is set (an OTLP endpoint, and OTEL_SDK_DISABLED not true). */
export interface TracingConfig {
  /** Where spans are posted (OTLP/HTTP); undefined: tracing off, the SDK not loaded. */
  tracesUrl: string | undefined;
  serviceName: string;
  scheduleDelayMs: number;
  maxQueueSize: number;
}

export interface FinanceConfig {
  baseUrl: string;
  /** PEM CA of an https finance URL, when not signed by a CA the system trusts. */
  ca: string | undefined;
  /** Undefined when no secret is configured: pushing is then disabled, everything else runs. */
  secret: Uint8Array | undefined;
  /** Why pushing is disabled, for /readyz and the start-up log. */
  disabledReason: string | undefined;
  jwt: { algorithm: Env['FINANCE_JWT_ALGORITHM']; issuer: string; audience: string; ttlSeconds: number };
  /** `fixed`: every token is `tenantId`'s; `event-tenant`: each push's token is its event's tenant. */
  identity: { mode: Env['FINANCE_IDENTITY']; tenantId: string; roles: string[] };
  /** One deadline per push, every retry included. */
  pushDeadlineMs: number;
  /** Keep-alive connections to finance (FINANCE_CONNECTIONS); undefined: one per call in flight. */
  connections: number | undefined;
  /** Upper bound of the adaptive limit on finance calls in flight (PUSHER_MAX_IN_FLIGHT). */
  maxInFlight: number;
  timeouts: { connectMs: number; headersMs: number; bodyMs: number };
  retry: { maxRetries: number; minDelayMs: number; maxDelayMs: number };
}

const MIN_SECRET_BYTES = 32;

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** Secrets are never echoed, nor the password inside a URL (DATABASE_URL may carry one). */
function shownValue(name: string, value: string | undefined): string {
  if (/SECRET|PASSWORD|TOKEN/.test(name)) return '(hidden)';
  return describe(value === undefined ? undefined : maskUrlPassword(value));
}

function formatIssues(error: z.ZodError, raw: Record<string, string | undefined>): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const shown = shownValue(name, raw[name]);
    return `${name}: got ${shown}, expected ${issue.message.replace(/^(Invalid [a-z ]+|Too (big|small)): /i, '').replace(/^expected /i, '')}`;
  });
}

function withDefaults(source: NodeJS.ProcessEnv): Record<EnvName, string> {
  const raw = {} as Record<EnvName, string>;
  for (const name of Object.keys(ENV_VARS) as EnvName[]) {
    const given = source[name];
    raw[name] = given === undefined || given === '' ? ENV_VARS[name].default : given;
  }
  return raw;
}

/** The traces URL as the OTLP specification derives it: the signal's own, else the base URL's /v1/traces. */
function tracingConfig(env: Env): TracingConfig {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const derived = base === '' ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`;
  const url =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT === '' ? derived : env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  return {
    tracesUrl: env.OTEL_SDK_DISABLED ? undefined : url,
    serviceName: env.OTEL_SERVICE_NAME,
    scheduleDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
    maxQueueSize: env.OTEL_BSP_MAX_QUEUE_SIZE,
  };
}

/** The console token, from OPS_CONSOLE_TOKEN_FILE when given; undefined leaves the console off. */
function readConsoleToken(env: Env): string | undefined {
  const token = readSecretValue('OPS_CONSOLE_TOKEN', env.OPS_CONSOLE_TOKEN, env.OPS_CONSOLE_TOKEN_FILE);
  if (token === '') return undefined;
  if (token.length < MIN_CONSOLE_TOKEN_LENGTH) {
    throw configError([
      `OPS_CONSOLE_TOKEN_FILE: got a token of ${token.length} characters, expected at least ${MIN_CONSOLE_TOKEN_LENGTH} (unset: the console is off)`,
    ]);
  }
  return token;
}

function readSecret(env: Env): { secret: Uint8Array | undefined; disabledReason: string | undefined } {
  let text = env.FINANCE_JWT_SECRET;
  if (env.FINANCE_JWT_SECRET_FILE) {
    try {
      text = readFileSync(env.FINANCE_JWT_SECRET_FILE, 'utf8').trim();
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw configError([
        `FINANCE_JWT_SECRET_FILE: cannot read ${describe(env.FINANCE_JWT_SECRET_FILE)} (${reason})`,
      ]);
    }
  }
  if (text === '') {
    return {
      secret: undefined,
      disabledReason:
        'finance is not configured: set FINANCE_JWT_SECRET or FINANCE_JWT_SECRET_FILE to enable pushing',
    };
  }
  const secret = new TextEncoder().encode(text);
  if (secret.byteLength < MIN_SECRET_BYTES) {
    const name = env.FINANCE_JWT_SECRET_FILE ? 'FINANCE_JWT_SECRET_FILE' : 'FINANCE_JWT_SECRET';
    throw configError([
      `${name}: got a secret of ${secret.byteLength} bytes, expected at least ${MIN_SECRET_BYTES} bytes`,
    ]);
  }
  return { secret, disabledReason: undefined };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw = withDefaults(source);
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) throw configError(formatIssues(parsed.error, raw));
  const env = parsed.data;
  return deepFreeze({
    kafka: kafkaConfig(env),
    schemaRegistry: registryConfig(env),
    registerSchemasOnStart: env.REGISTER_SCHEMAS_ON_START,
    topics: {
      linesIngested: env.TOPIC_LINES_INGESTED,
      pushedToFinance: env.TOPIC_PUSHED_TO_FINANCE,
      deadLetter: env.TOPIC_LINES_INGESTED_DLQ,
      recorderDeadLetter: env.TOPIC_PUSHED_TO_FINANCE_DLQ,
    },
    pusher: {
      groupId: env.PUSHER_GROUP_ID,
      maxInFlight: env.PUSHER_MAX_IN_FLIGHT,
      maxAttempts: env.PUSHER_MAX_ATTEMPTS,
      pauseOnTransientMs: env.PUSHER_PAUSE_ON_TRANSIENT_MS,
      fair: fairScheduling(env),
    },
    recorder: {
      groupId: env.RECORDER_GROUP_ID,
      maxInFlight: env.RECORDER_MAX_IN_FLIGHT,
      maxAttempts: env.RECORDER_MAX_ATTEMPTS,
    },
    events: { maxBytes: env.EVENT_MAX_BYTES, maxLines: env.EVENT_MAX_LINES },
    systemicBackoffMs: env.SYSTEMIC_BACKOFF_MS,
    database: { url: env.DATABASE_URL, migrateOnStart: env.MIGRATE_ON_START, tls: databaseTls(env) },
    finance: financeConfig(env),
    taxWords: { [ANY_PROVIDER]: env.TAX_WORDS.map((w) => w.toLowerCase()), ...env.TAX_WORDS_BY_PROVIDER },
    http: { host: env.HTTP_HOST, port: env.HTTP_PORT, trustedProxies: env.OPS_TRUSTED_PROXIES },
    console: consoleConfig(env),
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    tracing: tracingConfig(env),
    heapMib: env.SERVICE_HEAP_MIB,
  } satisfies Config);
}

function kafkaConfig(env: Env): Config['kafka'] {
  return {
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID,
    sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: env.KAFKA_HEARTBEAT_INTERVAL_MS,
    rebalanceTimeoutMs: env.KAFKA_REBALANCE_TIMEOUT_MS,
    createTopics: {
      enabled: env.KAFKA_CREATE_TOPICS,
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      replication: env.KAFKA_TOPIC_REPLICATION,
    },
    fetch: {
      maxBytes: env.KAFKA_FETCH_MAX_BYTES,
      maxBytesPerPartition: env.KAFKA_FETCH_MAX_BYTES_PER_PARTITION,
    },
    readGroupPrefix: env.KAFKA_READ_GROUP_PREFIX,
    tls: kafkaTls(env),
    sasl: kafkaSasl(env),
  };
}

function financeConfig(env: Env): FinanceConfig {
  return {
    baseUrl: env.SKYAI_FINANCE_URL.replace(/\/+$/, ''),
    ca: financeCa(env),
    ...readSecret(env),
    jwt: {
      algorithm: env.FINANCE_JWT_ALGORITHM,
      issuer: env.FINANCE_JWT_ISSUER,
      audience: env.FINANCE_JWT_AUDIENCE,
      ttlSeconds: env.FINANCE_JWT_TTL_SECONDS,
    },
    identity: { mode: env.FINANCE_IDENTITY, tenantId: env.FINANCE_TENANT_ID, roles: env.FINANCE_ROLES },
    pushDeadlineMs: env.FINANCE_PUSH_DEADLINE_MS,
    connections: env.FINANCE_CONNECTIONS,
    maxInFlight: env.PUSHER_MAX_IN_FLIGHT,
    timeouts: {
      connectMs: env.FINANCE_CONNECT_TIMEOUT_MS,
      headersMs: env.FINANCE_HEADERS_TIMEOUT_MS,
      bodyMs: env.FINANCE_BODY_TIMEOUT_MS,
    },
    retry: {
      maxRetries: env.FINANCE_MAX_RETRIES,
      minDelayMs: env.FINANCE_RETRY_MIN_DELAY_MS,
      maxDelayMs: env.FINANCE_RETRY_MAX_DELAY_MS,
    },
  };
}

function consoleConfig(env: Env): Config['console'] {
  return {
    enabled: env.OPS_CONSOLE,
    token: readConsoleToken(env),
    recentPushes: env.OPS_CONSOLE_RECENT_PUSHES,
    lagSampleMs: env.OPS_CONSOLE_LAG_SAMPLE_MS,
    publicOrigin: env.OPS_PUBLIC_ORIGIN,
    signInsPerMinute: env.OPS_SIGN_IN_PER_MINUTE,
    reads: {
      maxRecords: env.OPS_READ_MAX_RECORDS,
      timeoutMs: env.OPS_READ_TIMEOUT_MS,
      concurrency: env.OPS_READ_CONCURRENCY,
    },
  };
}
