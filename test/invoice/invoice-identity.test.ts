import { describe, expect, it } from 'vitest';
import type { SyncError } from '../../src/failures/errors.ts';
import {
  type IdentifiedEvent,
  requireValidIdentifiers,
  shownValue,
} from '../../src/invoice/invoice-identity.ts';

const VALID = {
  event_id: '7f1c0f5e-8a52-4a3c-9a43-1d8a0d3c5b11',
  tenant_id: 'platform-admin',
  provider: 'digitalocean',
  provider_invoice_id: 'INV:2026-04/DO#4512389',
  currency: 'USD',
};

function refusal(patch: Partial<Record<keyof IdentifiedEvent, unknown>>): SyncError {
  try {
    requireValidIdentifiers({ ...VALID, ...patch });
  } catch (error) {
    return error as SyncError;
  }
  throw new Error('expected INVALID_IDENTIFIER');
}

describe('identifier rules', () => {
  it('accepts the edges of every rule', () => {
    for (const event of [
      VALID,
      { ...VALID, tenant_id: 'A', provider: 'z' },
      { ...VALID, tenant_id: 't'.repeat(64), provider: 'a.b_c-D9' },
      { ...VALID, provider_invoice_id: '!' },
      { ...VALID, provider_invoice_id: '~'.repeat(128) },
      { ...VALID, provider_invoice_id: ':::' },
    ]) {
      expect(() => requireValidIdentifiers(event)).not.toThrow();
    }
  });

  it.each([
    ['tenant_id', 'platform:admin', '1-64 characters of A-Z a-z 0-9 . _ -'],
    ['tenant_id', 'platform\nadmin', '1-64 characters of A-Z a-z 0-9 . _ -'],
    ['tenant_id', '', '1-64 characters of A-Z a-z 0-9 . _ -'],
    ['tenant_id', 't'.repeat(65), '1-64 characters of A-Z a-z 0-9 . _ -'],
    ['provider', 'digital ocean', '1-64 characters of A-Z a-z 0-9 . _ -'],
    ['provider', 'aws:eu', '1-64 characters of A-Z a-z 0-9 . _ -'],
    ['provider', 'dígitalocean', '1-64 characters of A-Z a-z 0-9 . _ -'],
    [
      'provider_invoice_id',
      'INV 1',
      '1-128 printable ASCII characters (0x21-0x7E: no space, no control character)',
    ],
    [
      'provider_invoice_id',
      'INV-1\r\n',
      '1-128 printable ASCII characters (0x21-0x7E: no space, no control character)',
    ],
    [
      'provider_invoice_id',
      'INV-€',
      '1-128 printable ASCII characters (0x21-0x7E: no space, no control character)',
    ],
    [
      'provider_invoice_id',
      'i'.repeat(129),
      '1-128 printable ASCII characters (0x21-0x7E: no space, no control character)',
    ],
    ['currency', 'usd', '3 capital letters A-Z (ISO 4217)'],
    ['currency', '', '3 capital letters A-Z (ISO 4217)'],
    ['currency', 'USDT', '3 capital letters A-Z (ISO 4217)'],
  ] as const)('refuses %s %j as INVALID_IDENTIFIER, naming the field and the rule', (field, value, rule) => {
    const error = refusal({ [field]: value });
    expect([error.code, error.failureClass]).toEqual(['INVALID_IDENTIFIER', 'permanent']);
    expect(error.message).toBe(
      `${field} ${shownValue(value)} is not ${rule}: the producer must send a valid ${field}`,
    );
    expect(error.details).toEqual({
      field,
      value: shownValue(value),
      length: value.length,
      event_id: JSON.stringify(VALID.event_id),
    });
  });

  it('shows a value safely: control characters escaped, a long value cut with its length', () => {
    const error = refusal({ tenant_id: `evil\r\nX-Header: 1${'x'.repeat(10_000)}` });
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).toContain('"evil\\r\\nX-Header: 1xxx');
    expect(error.message).toContain('… (10017 characters)');
    expect(error.message.length).toBeLessThan(250);
  });

  it('refuses a value that is not a string at all', () => {
    expect(refusal({ provider: null }).message).toMatch(/^provider null is not /);
  });
});
