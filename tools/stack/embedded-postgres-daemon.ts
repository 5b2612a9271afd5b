// Keeps an embedded PostgreSQL running in the background for `npm run stack -- up` on a machine
// without one: started detached by stack-cli, stopped by SIGTERM (its pid is in .stack/postgres.pid).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePostgres } from './postgres.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const postgres = await ensurePostgres({ rootDir: root, log: (line) => console.log(line) });
writeFileSync(join(root, '.stack', 'postgres.url'), postgres.url);
console.log(`PostgreSQL ready at ${postgres.url}`);
const stop = async () => {
  await postgres.stop?.();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
setInterval(() => undefined, 60_000); // stay alive until told to stop
