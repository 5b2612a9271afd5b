import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decisionTable, decisionTableMarkdown } from '../../src/failures/failure-policy.ts';

describe('README failure table', () => {
  it('is the decision table of the error catalogue, word for word', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(decisionTableMarkdown());
  });

  it('names the tenant-level decision and the wrong-URL hint', () => {
    const rows = Object.fromEntries(decisionTable().map((row) => [row.code, row]));
    expect(rows.FINANCE_FORBIDDEN_FOR_TENANT?.consequence).toMatch(/^dead-lettered/);
    expect(rows.FINANCE_ENDPOINT_WRONG?.when).toContain('SKYAI_FINANCE_URL');
    expect(rows.UNEXPECTED?.consequence).toContain('PUSHER_MAX_ATTEMPTS');
  });

  it('says what ingest exits with for a malformed or missing input file, instead of dead-lettering', () => {
    const rows = Object.fromEntries(decisionTable().map((row) => [row.code, row]));
    expect(rows.INGEST_INPUT_INVALID?.consequence).toContain('`ingest` exits 65');
    expect(rows.INGEST_INPUT_MISSING?.consequence).toContain('`ingest` exits 66');
    expect(rows.KAFKA_TOPIC_UNAVAILABLE?.consequence).toMatch(/^the process exits 1/);
    expect(rows.INTERNAL_INVARIANT?.consequence).toContain('dead-lettered as `UNEXPECTED`');
  });
});
