import type { EnvVar } from './env/define-vars.ts';
import { ENV_VARS } from './env-schema.ts';

/**
 * The operator's views of the variables: `.env.example`, README.md's configuration table and the
 * Environment section of `start --help`, all rendered from the one declaration of each variable, so
 * none of them can drift from what the service reads (test/config/config.test.ts, test/bin/cli.test.ts).
 */

type Entry = [name: string, variable: EnvVar];

/** The variables under their headings, both in declaration order. */
function byGroup(): Map<string, Entry[]> {
  const groups = new Map<string, Entry[]>();
  for (const [name, variable] of Object.entries(ENV_VARS) as Entry[]) {
    const entries = groups.get(variable.group) ?? [];
    entries.push([name, variable]);
    groups.set(variable.group, entries);
  }
  return groups;
}

export function renderEnvExample(): string {
  const lines = [
    '# invoice-finance-sync configuration. Every variable is optional; the value shown is the default.',
    '# Secrets: prefer the *_FILE variants (mounted files) to FINANCE_JWT_SECRET, KAFKA_SASL_PASSWORD,',
    '# SCHEMA_REGISTRY_PASSWORD and OPS_CONSOLE_TOKEN; none of them is ever logged.',
    '',
  ];
  for (const [group, entries] of byGroup()) {
    lines.push(`# ==== ${group} ====`, '');
    for (const [name, variable] of entries)
      lines.push(`# ${variable.doc}`, `${name}=${variable.default}`, '');
  }
  return lines.join('\n');
}

/** README.md's configuration table: a bold row heads each group. */
export function renderEnvTable(): string {
  const rows = [...byGroup()].flatMap(([group, entries]) => [
    `| **${group}** | | |`,
    ...entries.map(
      ([name, variable]) =>
        `| \`${name}\` | ${variable.default === '' ? '(unset)' : `\`${variable.default}\``} | ${variable.doc} |`,
    ),
  ]);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

const HELP_WIDTH = 100; // columns, as a terminal shows help
const DOC_INDENT = ' '.repeat(8);

/** How `start --help` names a variable and its default. */
function helpHeading(name: string, variable: EnvVar): string {
  return `${name} (${variable.default === '' ? 'unset by default' : `default: ${variable.default}`})`;
}

/** The Environment section `start --help` ends with: every variable by group, default and meaning. */
export function renderEnvHelp(): string {
  const lines = ['', 'Environment (every variable is optional; unset or empty means its default):'];
  for (const [group, entries] of byGroup()) {
    lines.push('', `  ${group}`);
    for (const [name, variable] of entries) {
      lines.push(`    ${helpHeading(name, variable)}`, ...wrap(variable.doc));
    }
  }
  return lines.join('\n');
}

/** `text` in indented lines of at most HELP_WIDTH columns (a longer word keeps its own line). */
function wrap(text: string): string[] {
  const width = HELP_WIDTH - DOC_INDENT.length;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(DOC_INDENT + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(DOC_INDENT + line);
  return lines;
}
