import { z } from 'zod';
import { configError } from './config-files.ts';
import { checkConnectionSecurity } from './connection-rules.ts';
import { CONSUMER_VARS, EVENT_VARS, TOPIC_VARS } from './env/consumers.ts';
import { DATABASE_VARS } from './env/database.ts';
import type { EnvVar } from './env/define-vars.ts';
import { FINANCE_VARS, TAX_VARS } from './env/finance.ts';
import { KAFKA_SECURITY_VARS, KAFKA_VARS, SCHEMA_REGISTRY_VARS } from './env/kafka.ts';
import { CONSOLE_VARS, OPERATIONS_VARS } from './env/operations.ts';
import { TENANT_VARS } from './env/tenants.ts';
import { TRACING_VARS } from './env/tracing.ts';

/**
 * Every environment variable the service reads, each declared once in ./env/ (default, meaning,
 * schema, group), in the order they are documented. The keys ARE the variable names, so a validation
 * failure names the variable. The schema below, `.env.example`, README.md's table and `start --help`
 * (./env-docs.ts) all come from this table.
 */
export const ENV_VARS = gather(
  KAFKA_VARS,
  KAFKA_SECURITY_VARS,
  SCHEMA_REGISTRY_VARS,
  TOPIC_VARS,
  CONSUMER_VARS,
  TENANT_VARS,
  EVENT_VARS,
  DATABASE_VARS,
  FINANCE_VARS,
  TAX_VARS,
  OPERATIONS_VARS,
  CONSOLE_VARS,
  TRACING_VARS,
);

export type EnvName = keyof typeof ENV_VARS;

type Gathered<T extends readonly object[]> = T extends readonly [infer First, ...infer Rest extends object[]]
  ? First & Gathered<Rest>
  : unknown;

/** The groups as one table; a name declared in two groups stops the process instead of one hiding the other. */
function gather<T extends readonly Record<string, EnvVar>[]>(...groups: T): Gathered<T> {
  const table: Record<string, EnvVar> = {};
  for (const group of groups) {
    for (const [name, variable] of Object.entries(group)) {
      if (name in table)
        throw configError([`${name}: declared twice (${table[name]?.group}, ${variable.group})`]);
      table[name] = variable;
    }
  }
  return Object.freeze(table) as Gathered<T>;
}

type SchemaShape<T extends Record<string, EnvVar>> = { [K in keyof T]: T[K]['schema'] };

function schemaShape<T extends Record<string, EnvVar>>(vars: T): SchemaShape<T> {
  return Object.fromEntries(Object.entries(vars).map(([name, v]) => [name, v.schema])) as SchemaShape<T>;
}

/** The declared schemas as one object, with the rules that relate one variable to another. */
export const envSchema = z.object(schemaShape(ENV_VARS)).superRefine((env, ctx) => {
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
