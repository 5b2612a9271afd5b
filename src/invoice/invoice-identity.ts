import { SyncError } from '../failures/errors.ts';

/**
 * The identifier rules of an invoice (DESIGN.md, "Edges"). `tenant_id` and `provider` never hold
 * `:`, so the record key `{tenant_id}:{provider}:{provider_invoice_id}` splits at its first two colons
 * however many `:` the provider's invoice number holds (see `invoice-key.ts`). Every identifier is
 * printable ASCII because each travels where control characters break things: the Idempotency-Key
 * header (undici refuses a newline in it), log lines, console URLs, PostgreSQL text (no NUL).
 */
export const IDENTIFIER_RULES = {
  tenant_id: { pattern: /^[A-Za-z0-9._-]{1,64}$/, rule: '1-64 characters of A-Z a-z 0-9 . _ -' },
  provider: { pattern: /^[A-Za-z0-9._-]{1,64}$/, rule: '1-64 characters of A-Z a-z 0-9 . _ -' },
  provider_invoice_id: {
    pattern: /^[\x21-\x7E]{1,128}$/,
    rule: '1-128 printable ASCII characters (0x21-0x7E: no space, no control character)',
  },
  currency: { pattern: /^[A-Z]{3}$/, rule: '3 capital letters A-Z (ISO 4217)' },
} as const;

export type IdentifierField = keyof typeof IDENTIFIER_RULES;

/** The identifiers of an event of either topic, as decoded (so not trusted to be strings). */
export type IdentifiedEvent = { readonly [field in IdentifierField | 'event_id']: unknown };

const FIELDS = Object.keys(IDENTIFIER_RULES) as IdentifierField[];
/** Enough of a bad value to recognise it; a dead letter's headers must stay small. */
const SHOWN_CHARACTERS = 80;

/** True when `value` follows the rule of `field`. */
export function isValidIdentifier(field: IdentifierField, value: unknown): value is string {
  return typeof value === 'string' && IDENTIFIER_RULES[field].pattern.test(value);
}

/**
 * Throws `INVALID_IDENTIFIER` naming the first identifier that breaks its rule. Pure and first:
 * nothing about the event reaches the database, finance or a header before it passes.
 */
export function requireValidIdentifiers(event: IdentifiedEvent): void {
  for (const field of FIELDS) {
    const value = event[field];
    if (isValidIdentifier(field, value)) continue;
    const shown = shownValue(value);
    throw new SyncError(
      'INVALID_IDENTIFIER',
      `${field} ${shown} is not ${IDENTIFIER_RULES[field].rule}: the producer must send a valid ${field}`,
      {
        details: {
          field,
          value: shown,
          length: typeof value === 'string' ? value.length : undefined,
          event_id: shownValue(event.event_id),
        },
      },
    );
  }
}

/**
 * A value as safe text for a message, a header or a log: JSON escapes every control character (and
 * a lone surrogate), and a long value is cut, saying how long it was.
 */
export function shownValue(value: unknown, max = SHOWN_CHARACTERS): string {
  if (typeof value !== 'string') return value === undefined ? 'undefined' : JSON.stringify(value);
  if (value.length <= max) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, max))}… (${value.length} characters)`;
}
