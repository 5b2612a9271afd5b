/**
 * Writes `.env.example` and README.md's configuration table from the one declaration of every
 * variable (src/config/env/*.ts, gathered in src/config/env-schema.ts), after a variable is added or
 * its default or text changed (`start --help` renders them itself):
 *
 *   node tools/env-docs.ts
 *
 * test/config/config.test.ts fails when either has drifted from the declaration.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderEnvExample, renderEnvTable } from '../src/config/env-docs.ts';

const root = new URL('../', import.meta.url);
writeFileSync(new URL('.env.example', root), renderEnvExample());
const readmeUrl = new URL('README.md', root);
const readme = readFileSync(readmeUrl, 'utf8');
const header = '| variable | default | meaning |';
const start = readme.indexOf(header);
if (start < 0) throw new Error(`README.md has no configuration table (a line "${header}")`);
let end = readme.indexOf('\n', start);
while (readme.startsWith('|', end + 1)) end = readme.indexOf('\n', end + 1);
writeFileSync(readmeUrl, `${readme.slice(0, start)}${renderEnvTable()}${readme.slice(end)}`);
process.stdout.write('wrote .env.example and README.md’s configuration table\n');
