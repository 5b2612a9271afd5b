import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultsPatch, FinanceFaults } from './faults.ts';
import { FaultsPatchError } from './faults.ts';
import { errorDetail, readBody, sendJson } from './http-io.ts';
import type { AcceptedImport, FinanceStats } from './import-stats.ts';
import type { FinanceInvoiceWithVendor, FinanceVendor } from './invoice-store.ts';

/**
 * `/_admin/*`: the test-only window into the server, without auth and never subject to faults, so
 * a separate process (the demo, another test runner) can steer and inspect it over HTTP.
 * Every answer is `{"data": ...}`; an invalid faults patch is `400 {"errors": {"<field>": [...]}}`.
 */
export interface FinanceServerControl {
  invoices(): FinanceInvoiceWithVendor[];
  vendors(): FinanceVendor[];
  imports(): AcceptedImport[];
  stats(): FinanceStats;
  faults(): FinanceFaults;
  setFaults(patch: FaultsPatch): FinanceFaults;
  resetFaults(): FinanceFaults;
  resetStats(): FinanceStats;
  reset(): void;
}

type AdminAction = (control: FinanceServerControl, request: IncomingMessage) => Promise<unknown> | unknown;

const ADMIN_ROUTES: Readonly<Record<string, AdminAction>> = {
  'GET /_admin/invoices': (control) => control.invoices(),
  'GET /_admin/vendors': (control) => control.vendors(),
  'GET /_admin/imports': (control) => control.imports(),
  'GET /_admin/stats': (control) => control.stats(),
  'POST /_admin/stats/reset': (control) => control.resetStats(),
  'GET /_admin/faults': (control) => control.faults(),
  'PUT /_admin/faults': async (control, request) => control.setFaults(await readJson(request)),
  'DELETE /_admin/faults': (control) => control.resetFaults(),
  'POST /_admin/reset': (control) => {
    control.reset();
    return { reset: true };
  },
};

export async function handleAdmin(
  control: FinanceServerControl,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<void> {
  const action = ADMIN_ROUTES[`${request.method} ${path}`];
  if (action === undefined) {
    const knownPath = Object.keys(ADMIN_ROUTES).some((route) => route.endsWith(` ${path}`));
    sendJson(response, knownPath ? 405 : 404, errorDetail(knownPath ? 'method not allowed' : 'not found'));
    return;
  }
  try {
    sendJson(response, 200, { data: await action(control, request) });
  } catch (error) {
    if (error instanceof FaultsPatchError) sendJson(response, 400, { errors: error.fieldErrors });
    else if (error instanceof InvalidJsonError)
      sendJson(response, 400, { errors: { body: [error.message] } });
    else throw error;
  }
}

class InvalidJsonError extends Error {}

async function readJson(request: IncomingMessage): Promise<FaultsPatch> {
  const text = (await readBody(request)).toString('utf8');
  try {
    return JSON.parse(text) as FaultsPatch;
  } catch {
    throw new InvalidJsonError('must be valid JSON');
  }
}
