import { z } from 'zod';

/**
 * The body of `POST /api/v1/integrations/cloud/import-invoice` as finance accepts it, with the
 * field errors finance answers in a 422: `{"errors": {"<field path>": ["message", ...]}}`.
 * Messages are fixed strings so tests (here and in the service) can assert exact bodies.
 */
const nonEmptyString = z
  .string({ error: 'must be a non-empty string' })
  .min(1, { error: 'must be a non-empty string' });
const minorUnits = z.int({ error: 'must be a safe integer in minor units' });

const importLineSchema = z.object({
  description: z.string({ error: 'must be a string' }),
  amount_minor: minorUnits,
  kind: z.enum(['net', 'tax'], { error: 'must be "net" or "tax"' }),
});

const importPayloadSchema = z.object(
  {
    tenant_id: nonEmptyString,
    source: nonEmptyString,
    external_id: nonEmptyString,
    vendor: z.object(
      { name: nonEmptyString, category: nonEmptyString },
      { error: 'must be an object with name and category' },
    ),
    invoice_period: z.iso.date({ error: 'must be a date YYYY-MM-DD' }),
    issued_at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 timestamp or null' }).nullish(),
    currency: z
      .string({ error: 'must be a 3-letter uppercase ISO 4217 code' })
      .regex(/^[A-Z]{3}$/, { error: 'must be a 3-letter uppercase ISO 4217 code' }),
    amount_gross_minor: minorUnits,
    amount_tax_minor: minorUnits,
    amount_net_minor: minorUnits,
    lines: z.array(importLineSchema, { error: 'must be an array of lines' }),
  },
  { error: 'must be a JSON object' },
);

export type ImportPayload = z.infer<typeof importPayloadSchema>;
export type ImportLine = z.infer<typeof importLineSchema>;
export type FieldErrors = Record<string, string[]>;

export type PayloadCheck = { ok: true; payload: ImportPayload } | { ok: false; errors: FieldErrors };

/** Parses and checks the raw body: JSON, then shape, then the sums that tie the amounts together. */
export function validateImportPayload(rawBody: string): PayloadCheck {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, errors: { body: ['must be valid JSON'] } };
  }
  const parsed = importPayloadSchema.safeParse(body);
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      addFieldError(errors, issue.path.join('.') || 'body', issue.message);
    }
    return { ok: false, errors };
  }
  const errors = checkAmounts(parsed.data);
  return Object.keys(errors).length === 0 ? { ok: true, payload: parsed.data } : { ok: false, errors };
}

// Only run on a well-shaped payload, so every figure here is known to be an integer.
function checkAmounts(payload: ImportPayload): FieldErrors {
  const errors: FieldErrors = {};
  const { amount_gross_minor: gross, amount_tax_minor: tax, amount_net_minor: net } = payload;
  if (gross !== tax + net) {
    addFieldError(errors, 'amount_gross_minor', 'must equal amount_tax_minor + amount_net_minor');
  }
  const sumOf = (kind: ImportLine['kind']) =>
    payload.lines.filter((line) => line.kind === kind).reduce((sum, line) => sum + line.amount_minor, 0);
  const taxLines = sumOf('tax');
  const netLines = sumOf('net');
  if (tax !== taxLines)
    addFieldError(errors, 'amount_tax_minor', `must equal the sum of tax lines (${taxLines})`);
  if (net !== netLines)
    addFieldError(errors, 'amount_net_minor', `must equal the sum of net lines (${netLines})`);
  return errors;
}

function addFieldError(errors: FieldErrors, field: string, message: string): void {
  const messages = errors[field] ?? [];
  if (!messages.includes(message)) messages.push(message);
  errors[field] = messages;
}
