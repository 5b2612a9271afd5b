import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { normalizeInvoice } from '../../src/invoice/normalize-invoice.ts';
import { type FinanceVerdict, financeVerdict } from '../../src/platform/finance/finance-status.ts';
import { DEFAULT_IDEMPOTENCY_KEYS } from '../../tools/finance-server/idempotency-store.ts';
import { april2026Event } from '../fixtures/april-2026.ts';

/** docs/finance-contract.md is what the finance team reads: it must not drift from the code. */
const root = new URL('../../', import.meta.url);
const doc = readFileSync(new URL('docs/finance-contract.md', root), 'utf8');
const HEADER = 'Idempotency-Key: {tenant_id}:{source}:{external_id}:{payload_sha256}';

/** The body of the section whose heading starts with `heading`, up to the next heading of any level. */
function section(heading: string): string {
  const lines = doc.split('\n');
  const start = lines.findIndex((line) => line.startsWith(heading));
  if (start === -1)
    throw new Error(`docs/finance-contract.md has no heading starting ${JSON.stringify(heading)}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^#{1,6} /.test(line));
  return rest.slice(0, end === -1 ? undefined : end).join('\n');
}

describe('docs/finance-contract.md', () => {
  it('states the Idempotency-Key header format exactly, in the request and in its own section', () => {
    expect(section('## The import call')).toContain(HEADER);
    expect(section('## Idempotency-Key')).toContain(HEADER);
  });

  it('gives the key the pusher sends for the April 2026 invoice as its example', () => {
    const event = april2026Event();
    const key = `${invoiceKey(event)}:${normalizeInvoice(event).sha256}`;
    expect(section('## Idempotency-Key')).toContain(`\`${key}\``);
  });

  it('says finance may answer a repeated key with its stored answer, and why a changed invoice never is', () => {
    const text = section('## Idempotency-Key');
    expect(text).toContain('**Answer a repeated key with its stored answer**');
    expect(text).toContain('the key changes whenever the payload changes');
    expect(text).toContain('verify the token, the write role, the payload');
  });

  it('states the reference server’s key capacity', () => {
    expect(section('## The reference finance server')).toContain(
      `up to ${DEFAULT_IDEMPOTENCY_KEYS.toLocaleString('en-US')} keys`,
    );
  });

  it.each([
    [0, 'ok'],
    [1, 'ok'],
    [2, 'unauthorized'],
    [3, 'forbidden'],
    [4, 'rejected'],
    [5, 'transient'],
    [6, 'wrong-endpoint'],
  ] as [number, FinanceVerdict][])('answers row %i lists only statuses judged %s', (row, verdict) => {
    const rows = section('## Answers')
      .split('\n')
      .filter((line) => /^\| `/.test(line));
    const firstCell = rows[row]?.split(' | ')[0] ?? '';
    const statuses = [...firstCell.matchAll(/`(\d)(\d\d|xx)\b/g)].flatMap(([, hundred, rest]) =>
      rest === 'xx' ? [500, 502, 503, 504] : [Number(`${hundred}${rest}`)],
    );
    expect(statuses.length, firstCell).toBeGreaterThan(0);
    for (const status of statuses) expect(financeVerdict(status), String(status)).toBe(verdict);
  });

  it('is linked from the README and from docs/events.md', () => {
    expect(readFileSync(new URL('README.md', root), 'utf8')).toContain('(docs/finance-contract.md)');
    expect(readFileSync(new URL('docs/events.md', root), 'utf8')).toContain('(finance-contract.md');
  });
});
