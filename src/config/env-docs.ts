import { ENV_DOCS } from './env-schema.ts';

/** `.env.example`, generated from the schema's documentation so the two cannot drift apart. */
export function renderEnvExample(): string {
  const lines = [
    '# invoice-finance-sync configuration. Every variable is optional; the value shown is the default.',
    '# Secrets: prefer the *_FILE variants (mounted files) to FINANCE_JWT_SECRET, KAFKA_SASL_PASSWORD,',
    '# SCHEMA_REGISTRY_PASSWORD and OPS_CONSOLE_TOKEN; none of them is ever logged.',
    '',
  ];
  for (const [name, [fallback, meaning]] of Object.entries(ENV_DOCS)) {
    lines.push(`# ${meaning}`, `${name}=${fallback}`, '');
  }
  return lines.join('\n');
}

/** The README's configuration table, from the same source. */
export function renderEnvTable(): string {
  const rows = Object.entries(ENV_DOCS).map(
    ([name, [fallback, meaning]]) =>
      `| \`${name}\` | ${fallback === '' ? '(unset)' : `\`${fallback}\``} | ${meaning} |`,
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
