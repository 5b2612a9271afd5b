import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../src/config/env-schema.ts';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { ERROR_CODES } from '../../src/failures/errors.ts';
import { createTaxClassifier, DEFAULT_TAX_WORDS } from '../../src/invoice/tax-rule.ts';

/** docs/events.md is the contract other teams read: it must not drift from the schemas and code. */
const root = new URL('../../', import.meta.url);
const doc = readFileSync(new URL('docs/events.md', root), 'utf8');
const SCHEMA_FILES = ['InvoiceLinesIngested.avsc', 'InvoicePushedToFinance.avsc'];

interface NamedType {
  kind: 'record' | 'enum';
  name: string;
  fields: string[];
  symbols: string[];
}

type AvroSchema = string | AvroSchema[] | { [key: string]: unknown };

/** Every record and enum declared in a schema, nested ones included (array items, unions, maps). */
function namedTypes(schema: AvroSchema, found: NamedType[] = []): NamedType[] {
  if (Array.isArray(schema)) {
    for (const branch of schema) namedTypes(branch, found);
  } else if (typeof schema === 'object') {
    if (schema.type === 'record') {
      const fields = schema.fields as { name: string; type: AvroSchema }[];
      found.push({
        kind: 'record',
        name: String(schema.name),
        fields: fields.map((f) => f.name),
        symbols: [],
      });
      for (const field of fields) namedTypes(field.type, found);
    } else if (schema.type === 'enum') {
      found.push({
        kind: 'enum',
        name: String(schema.name),
        fields: [],
        symbols: schema.symbols as string[],
      });
    } else if (schema.type === 'array') {
      namedTypes(schema.items as AvroSchema, found);
    } else if (schema.type === 'map') {
      namedTypes(schema.values as AvroSchema, found);
    } else if (typeof schema.type === 'object') {
      namedTypes(schema.type as AvroSchema, found);
    }
  }
  return found;
}

const types = SCHEMA_FILES.flatMap((file) =>
  namedTypes(JSON.parse(readFileSync(new URL(`schemas/${file}`, root), 'utf8')) as AvroSchema),
);
const records = types.filter((t) => t.kind === 'record');

/** The body of the section whose heading starts with `heading`, up to the next heading of any level. */
function section(heading: string): string {
  const lines = doc.split('\n');
  const start = lines.findIndex((line) => line.startsWith(heading));
  if (start === -1) throw new Error(`docs/events.md has no heading starting ${JSON.stringify(heading)}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^#{1,6} /.test(line));
  return rest.slice(0, end === -1 ? undefined : end).join('\n');
}

/** The first cell of every table row whose first cell is a single code span: `| \`x\` | ...`. */
function tableKeys(text: string): string[] {
  return [...text.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1] as string);
}

describe('docs/events.md', () => {
  it('walks both schemas, nested records and enums included', () => {
    expect(records.map((r) => r.name)).toEqual([
      'InvoiceLinesIngested',
      'InvoiceLine',
      'InvoicePushedToFinance',
    ]);
    expect(types.find((t) => t.kind === 'enum')?.name).toBe('FinanceImportAction');
  });

  it.each(records.map((r) => [r.name, r] as const))('mentions every field of %s', (_name, record) => {
    for (const field of record.fields) expect(doc, `field ${record.name}.${field}`).toContain(`\`${field}\``);
  });

  it.each(records.map((r) => [r.name, r] as const))(
    'has a field table for %s listing exactly its fields, in schema order',
    (name, record) => {
      expect(tableKeys(section(`### \`${name}\``))).toEqual(record.fields);
    },
  );

  it('names every enum and its symbols', () => {
    for (const type of types.filter((t) => t.kind === 'enum')) {
      expect(doc).toContain(type.name);
      for (const symbol of type.symbols) expect(doc, `symbol ${type.name}.${symbol}`).toContain(symbol);
    }
  });

  it('lists every dead-letter header, in the dead-letter section', () => {
    const deadLetters = section('## Dead letters');
    for (const [name, header] of Object.entries(DLQ_HEADER)) {
      expect(tableKeys(deadLetters), `DLQ_HEADER.${name}`).toContain(header);
    }
  });

  it('lists every code that can reach a dead-letter topic (permanent ones and UNEXPECTED), and only those', () => {
    // The input-file codes of the ingest CLI are permanent too, but it exits on them: no topic sees them.
    const permanent = Object.entries(ERROR_CODES)
      .filter(([, entry]) => !('inputData' in entry || 'inputMissing' in entry))
      .filter(([code, entry]) => entry.failureClass === 'permanent' || code === 'UNEXPECTED')
      .map(([code]) => code);
    const listed = tableKeys(section('## Dead letters')).filter((key) => /^[A-Z_]+$/.test(key));
    expect([...listed].sort()).toEqual([...permanent].sort());
  });

  it.each([
    'TOPIC_LINES_INGESTED',
    'TOPIC_PUSHED_TO_FINANCE',
    'TOPIC_LINES_INGESTED_DLQ',
    'TOPIC_PUSHED_TO_FINANCE_DLQ',
  ] as const)('names the default topic of %s and the variable itself', (variable) => {
    const defaultTopic = ENV_VARS[variable].default;
    expect(doc).toContain(`\`${defaultTopic}\``);
    expect(doc).toContain(`\`${variable}\``);
  });

  it('classifies the tax examples as the tax rule does', () => {
    const isTax = createTaxClassifier(DEFAULT_TAX_WORDS);
    const rows = [...section('### Tax and net').matchAll(/^\| `([^`]+)` \| (tax|net)\b/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const [, description, kind] of rows) {
      expect(isTax(description as string) ? 'tax' : 'net', description).toBe(kind);
    }
  });

  it('states the default tax words the service uses', () => {
    for (const word of DEFAULT_TAX_WORDS) expect(section('### Tax and net')).toContain(`\`${word}\``);
  });
});
