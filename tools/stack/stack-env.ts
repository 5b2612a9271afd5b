// What `npm run stack -- up|status|env` prints for a shell: `export` lines naming the endpoints the
// stack chose, so the README's walk-through runs unchanged on every flavour (JVM stack with the
// local or an embedded PostgreSQL, Docker with PostgreSQL on 5433):
//   eval "$(npm run -s stack -- up)"

/** The service's own database: the path of DATABASE_URL's default (src/config/env/database.ts). */
export const SERVICE_DATABASE = 'invoice_finance_sync';
/** The database every PostgreSQL server has; the stack hands out its URL for creating others. */
const MAINTENANCE_DATABASE = 'postgres';

/** The same server and credentials, another database; query options (e.g. sslmode) are kept. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The server's maintenance database, whichever database `url` names (e.g. an exported DATABASE_URL). */
export function maintenanceUrl(url: string): string {
  return withDatabase(url, MAINTENANCE_DATABASE);
}

/** The variables the service, its CLI, the demo and the tests read, pointing at this stack. */
/** Where the stack's servers answer. */
export interface StackEndpoints {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  /** The server's maintenance database; callers create their own databases from it. */
  databaseUrl: string;
}

export function stackVariables(endpoints: StackEndpoints): Record<string, string> {
  return {
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
    DATABASE_URL: withDatabase(endpoints.databaseUrl, SERVICE_DATABASE),
  };
}

/** One `export NAME=value` line per variable, safe to `eval` in any POSIX shell. */
export function exportLines(endpoints: StackEndpoints): string[] {
  return Object.entries(stackVariables(endpoints)).map(
    ([name, value]) => `export ${name}=${shellQuoted(value)}`,
  );
}

/** Bare when only characters no shell treats specially; else single-quoted, a quote as '\''. */
export function shellQuoted(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", "'\\''")}'`;
}
