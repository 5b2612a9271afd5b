// Docker backend of the local stack CLI (tools/stack/stack-cli.ts): Kafka, the schema registry and
// PostgreSQL of docker-compose.yml, driven through the `docker compose` CLI plugin.
//   composeUp      up -d --wait the three infrastructure services; resolves to their host endpoints
//   composeDown    stop them (containers and data are kept, like the JVM backend's `down`)
//   composeWipe    down --volumes: remove the containers and their data (the CLI's `reset`)
//   composeStatus  state and health of every service of the file
// The finance server and the service itself are left to `docker compose up` (see docker-compose.yml).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DockerStackEndpoints } from './docker-stack.ts';

export const COMPOSE_FILE = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The services `npm run stack` manages: the real servers, no stand-in. */
export const INFRASTRUCTURE_SERVICES = ['kafka', 'schema-registry', 'postgres'] as const;

const VERSION_TIMEOUT_MS = 5_000; // five seconds: `docker compose version` needs no engine
const UP_TIMEOUT_S = 180; // three minutes for all health checks to pass, image pulls not included
const COMMAND_TIMEOUT_MS = 15 * 60_000; // fifteen minutes: first `up` pulls about 1.5 GB of images

/** Host endpoints of docker-compose.yml's published ports (PostgreSQL on 5433, see the file). */
export const COMPOSE_ENDPOINTS: Readonly<DockerStackEndpoints> = Object.freeze({
  kafkaBrokers: '127.0.0.1:9092',
  schemaRegistryUrl: 'http://127.0.0.1:8081',
  databaseUrl: 'postgres://postgres:postgres@127.0.0.1:5433/postgres',
});

export type ComposeOptions = { log?: (line: string) => void };
export type ComposeServiceStatus = { service: string; state: string; health: string };
export type ComposeStatus = { services: ComposeServiceStatus[]; ready: boolean };

/** True when the `docker compose` plugin is installed (no engine needed to answer). */
export async function composeAvailable(): Promise<boolean> {
  try {
    await docker(['compose', 'version'], { timeoutMs: VERSION_TIMEOUT_MS });
    return true;
  } catch {
    return false;
  }
}

/** Starts Kafka, the registry and PostgreSQL and waits until their health checks pass. */
export async function composeUp(options: ComposeOptions = {}): Promise<DockerStackEndpoints> {
  await compose(
    ['up', '--detach', '--wait', '--wait-timeout', String(UP_TIMEOUT_S), ...INFRASTRUCTURE_SERVICES],
    options,
  );
  return { ...COMPOSE_ENDPOINTS };
}

/** Stops every service of the file, keeping containers and data; resolves to what each became. */
export async function composeDown(options: ComposeOptions = {}): Promise<Record<string, string>> {
  const before = await composeStatus();
  await compose(['stop'], options);
  const outcome: Record<string, string> = {};
  for (const s of before.services) outcome[s.service] = s.state === 'running' ? 'stopped' : 'not running';
  return outcome;
}

/** Removes the containers, their anonymous volumes (PostgreSQL's data) and the network. */
export async function composeWipe(options: ComposeOptions = {}): Promise<void> {
  await compose(['down', '--volumes', '--remove-orphans'], options);
}

/** State and health of every created service; ready when the three infrastructure ones are healthy. */
export async function composeStatus(): Promise<ComposeStatus> {
  const { stdout } = await compose(['ps', '--all', '--format', 'json'], {});
  const services = parsePs(stdout);
  const healthy = (name: string) =>
    services.some((s) => s.service === name && s.state === 'running' && s.health === 'healthy');
  return { services, ready: INFRASTRUCTURE_SERVICES.every(healthy) };
}

/**
 * `docker compose ps --format json` prints one JSON object per line since Compose 2.21 and one
 * JSON array before; both are accepted.
 */
export function parsePs(stdout: string): ComposeServiceStatus[] {
  const text = stdout.trim();
  if (text === '') return [];
  const rows: unknown[] = text.startsWith('[')
    ? JSON.parse(text)
    : text.split('\n').flatMap((line) => (line.trim() === '' ? [] : [JSON.parse(line)]));
  return rows.map((row) => {
    const r = row as { Service?: string; State?: string; Health?: string };
    return { service: r.Service ?? '?', state: r.State ?? '?', health: r.Health || 'none' };
  });
}

let pluginChecked = false;

/**
 * Runs `docker compose --file docker-compose.yml <args>`. Checks once that the plugin exists: without
 * it the docker CLI answers `unknown flag: --file` and its whole usage text, which names no cause.
 */
async function compose(args: string[], options: ComposeOptions): Promise<{ stdout: string }> {
  if (!pluginChecked) {
    if (!(await composeAvailable())) {
      throw new Error(
        '`docker compose version` failed: install the Docker Compose v2 CLI plugin (or Docker Desktop)',
      );
    }
    pluginChecked = true;
  }
  return docker(['compose', '--file', COMPOSE_FILE, ...args], { timeoutMs: COMMAND_TIMEOUT_MS, ...options });
}

/**
 * Runs `docker <args>` from the repository root. Compose reports progress on stderr: each line goes
 * to `log` as it comes, and the last lines are part of the error when the command fails.
 */
function docker(
  args: string[],
  options: { timeoutMs: number; log?: (line: string) => void },
): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderrLines: string[] = [];
    let partial = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.trim() !== '')) {
        stderrLines.push(line);
        options.log?.(line);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`docker ${args.join(' ')}: ${error.message}`)); // ENOENT: no docker CLI
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (partial.trim() !== '') stderrLines.push(partial);
      if (code === 0) return resolve({ stdout: Buffer.concat(stdout).toString('utf8') });
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      const tail = stderrLines.slice(-15).join('\n');
      reject(new Error(`docker ${args.join(' ')} failed (${why})${tail ? `:\n${tail}` : ''}`));
    });
  });
}
