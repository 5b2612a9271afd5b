import { describe, expect, it } from 'vitest';
import type { SyncError } from '../../src/failures/errors.ts';
import { requireKeyMatches } from '../../src/invoice/record-key.ts';
import { april2026Event } from '../fixtures/april-2026.ts';

function refusal(key: string | null): SyncError {
  try {
    requireKeyMatches(key, april2026Event());
  } catch (error) {
    return error as SyncError;
  }
  throw new Error('expected KEY_MISMATCH');
}

describe('record key must be the invoice of its value', () => {
  const event = april2026Event();
  const expected = `${event.tenant_id}:${event.provider}:${event.provider_invoice_id}`;

  it('accepts {tenant_id}:{provider}:{provider_invoice_id}', () => {
    expect(() => requireKeyMatches(expected, event)).not.toThrow();
  });

  it('refuses another invoice’s key, naming both', () => {
    const error = refusal('tenant-b:digitalocean:INV-1');
    expect([error.code, error.failureClass]).toEqual(['KEY_MISMATCH', 'permanent']);
    expect(error.message).toBe(
      `record has key "tenant-b:digitalocean:INV-1" but its value is invoice "${expected}": the producer must key each event by {tenant_id}:{provider}:{provider_invoice_id}`,
    );
    expect(error.details).toMatchObject({ record_key: 'tenant-b:digitalocean:INV-1', payload_key: expected });
  });

  it('shows a long key cut and escaped, so the dead letter’s headers stay small', () => {
    const key = `${expected}\n${'x'.repeat(100_000)}`;
    const error = refusal(key);
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).toContain(
      `record has key ${JSON.stringify(key.slice(0, 200))}… (${key.length} characters)`,
    );
    expect(error.details).toMatchObject({ record_key: key.slice(0, 200), record_key_length: key.length });
  });

  it('refuses a record without a key', () => {
    expect(refusal(null).message).toMatch(/^record has no key but its value is invoice /);
  });
});
