import { SyncError } from '../../failures/errors.ts';
import type { FinanceImportAction } from '../../invoice/invoice-events.ts';
import { financeVerdict } from './finance-status.ts';

/** A finance answer as read off the wire: the status and the whole body text. */
export interface FinanceAnswer {
  statusCode: number;
  text: string;
}

/** Whether finance still accepts the configured identity (FINANCE_TENANT_ID / FINANCE_ROLES). */
export type ProbeVerdict = 'identity-accepted' | 'identity-refused';

/**
 * Turns a final answer into the import result or a catalogued error (the verdicts are
 * `finance-status.ts`'s). A 403 needs the probe's evidence: without it, or when the configured
 * identity is refused too, it is the system's problem; otherwise it is the tenant's.
 */
export function judgeAnswer(
  answer: FinanceAnswer,
  tenantId: string,
  probe?: ProbeVerdict,
): { financeInvoiceId: string; action: FinanceImportAction } {
  const details = { status: answer.statusCode, body: truncate(answer.text), tenant_id: tenantId };
  const said = `(HTTP ${answer.statusCode}): ${details.body}`;
  switch (financeVerdict(answer.statusCode)) {
    case 'ok':
      return importResult(answer, details);
    case 'rejected':
      throw new SyncError('FINANCE_REJECTED', `finance rejected the invoice ${said}`, { details });
    case 'wrong-endpoint':
      throw new SyncError(
        'FINANCE_ENDPOINT_WRONG',
        `finance has no import endpoint here ${said}: check SKYAI_FINANCE_URL`,
        { details },
      );
    case 'unauthorized':
      throw new SyncError('FINANCE_UNAUTHORIZED', `finance refused a freshly minted token ${said}`, {
        details,
      });
    case 'forbidden':
      if (probe === 'identity-accepted') {
        throw new SyncError(
          'FINANCE_FORBIDDEN_FOR_TENANT',
          `finance refused to import for tenant ${tenantId} ${said}; the configured identity is still accepted`,
          { details },
        );
      }
      throw new SyncError(
        'FINANCE_UNAUTHORIZED',
        `finance refused the configured identity (FINANCE_TENANT_ID, FINANCE_ROLES) ${said}`,
        { details },
      );
    default:
      throw new SyncError('FINANCE_UNEXPECTED_ANSWER', `finance answered something unexpected ${said}`, {
        details,
      });
  }
}

/** The probe posts `{}`: 422 means the identity passed the token and role checks. */
export function judgeProbe(answer: FinanceAnswer): ProbeVerdict {
  if (answer.statusCode === 422) return 'identity-accepted';
  if (answer.statusCode === 401 || answer.statusCode === 403) return 'identity-refused';
  throw new SyncError(
    'FINANCE_UNEXPECTED_ANSWER',
    `finance answered the identity probe (an empty import) with HTTP ${answer.statusCode}, expected 422: ${truncate(answer.text)}`,
    { details: { status: answer.statusCode } },
  );
}

function importResult(
  answer: FinanceAnswer,
  details: Record<string, unknown>,
): { financeInvoiceId: string; action: FinanceImportAction } {
  const parsed = safeJson(answer.text) as { data?: { id?: unknown; action?: unknown } } | undefined;
  const id = parsed?.data?.id;
  const action = parsed?.data?.action;
  if (typeof id === 'string' && id !== '' && (action === 'created' || action === 'updated')) {
    return { financeInvoiceId: id, action };
  }
  throw new SyncError(
    'FINANCE_UNEXPECTED_ANSWER',
    `finance answered ${answer.statusCode} without data.id/action: ${truncate(answer.text)}`,
    { details },
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function truncate(text: string, max = 2_000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
