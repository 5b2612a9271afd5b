import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type InvoiceIdentity, invoiceKey, parseInvoiceKey } from '../../src/invoice/invoice-key.ts';

const NAME_CHARS = 'ABCXYZabcxyz0189._-';
const PRINTABLE = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i));

const name = fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 64 });
/** Invoice numbers rich in colons: the character that could make two keys meet. */
const invoiceId = fc.string({
  unit: fc.oneof(
    { weight: 1, arbitrary: fc.constant(':') },
    { weight: 3, arbitrary: fc.constantFrom(...PRINTABLE) },
  ),
  minLength: 1,
  maxLength: 128,
});
const identity: fc.Arbitrary<InvoiceIdentity> = fc.record({
  tenant_id: name,
  provider: name,
  provider_invoice_id: invoiceId,
});

describe('invoice key {tenant_id}:{provider}:{provider_invoice_id}', () => {
  it('parses back to the identity it was built from, for every valid identity', () => {
    fc.assert(
      fc.property(identity, (x) => {
        expect(parseInvoiceKey(invoiceKey(x))).toEqual(x);
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives distinct valid identities distinct keys', () => {
    fc.assert(
      fc.property(identity, identity, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        expect(invoiceKey(a)).not.toBe(invoiceKey(b));
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives distinct keys to identities that differ only in where a colon falls', () => {
    // Same characters, colon moved between the invoice number and nothing else: the hard case.
    fc.assert(
      fc.property(name, name, invoiceId, invoiceId, (tenant, provider, left, right) => {
        const a = { tenant_id: tenant, provider, provider_invoice_id: `${left}:${right}` };
        const b = { tenant_id: tenant, provider, provider_invoice_id: `${left}${right}` };
        expect(invoiceKey(a)).not.toBe(invoiceKey(b));
      }),
    );
  });

  it('builds every key it parses back unchanged, whatever string it was given', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (key) => {
        const parsed = parseInvoiceKey(key);
        if (parsed !== undefined) expect(invoiceKey(parsed)).toBe(key);
      }),
      { numRuns: 2_000 },
    );
  });

  it('splits at the first two colons: the invoice number keeps the rest', () => {
    expect(parseInvoiceKey('platform-admin:aws:INV:2026:04')).toEqual({
      tenant_id: 'platform-admin',
      provider: 'aws',
      provider_invoice_id: 'INV:2026:04',
    });
  });

  it.each([
    ['no colon', 'platform-admin'],
    ['one colon', 'platform-admin:aws'],
    ['an empty invoice number', 'platform-admin:aws:'],
    ['an empty tenant', ':aws:INV-1'],
    ['a newline in the tenant', 'platform\nadmin:aws:INV-1'],
    ['a space in the invoice number', 'platform-admin:aws:INV 1'],
    ['a non-ASCII provider', 'platform-admin:åws:INV-1'],
    ['a 65-character tenant', `${'t'.repeat(65)}:aws:INV-1`],
    ['a 129-character invoice number', `platform-admin:aws:${'i'.repeat(129)}`],
  ])('is not the key of any valid identity with %s', (_case, key) => {
    expect(parseInvoiceKey(key)).toBeUndefined();
  });
});
