import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { FaultInjector } from './faults.ts';
import { BodyTooLargeError, errorDetail, readBody, sendJson } from './http-io.ts';
import type { IdempotencyStore } from './idempotency-store.ts';
import { type ImportPayload, validateImportPayload } from './import-payload.ts';
import type { ImportStats } from './import-stats.ts';
import type { InvoiceStore } from './invoice-store.ts';
import type { TokenVerifier } from './token-verifier.ts';

/**
 * `POST /api/v1/integrations/cloud/import-invoice`: latency, faults, token, payload, tenant, a
 * repeated `Idempotency-Key`, then the idempotent upsert. The order matters to clients: a 401/403
 * never depends on the body, a fault answers before anything is stored, like a finance that is
 * down, and a stored answer is only ever given to a caller who may still write for that tenant.
 */
export interface ImportRouteDeps {
  verifyToken: TokenVerifier;
  store: InvoiceStore;
  faults: FaultInjector;
  stats: ImportStats;
  idempotency: IdempotencyStore;
  /** Aborted by `close()`, so requests waiting out their latency do not hold the process open. */
  closing: AbortSignal;
}

type Outcome = { status: number } | 'dropped';

export async function handleImport(
  deps: ImportRouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const arrivedAtMs = preciseNowMs();
  deps.stats.arrived();
  let outcome: Outcome = 'dropped';
  try {
    outcome = await answerImport(deps, request, response, arrivedAtMs);
  } catch (error) {
    // A bug in this test server must show up as a plain 500, not as a hung request.
    sendJson(response, 500, errorDetail(`finance server error: ${String(error)}`));
    outcome = { status: 500 };
  } finally {
    // In flight until the answer is written: a client that gave up early still counts until then,
    // and its import is still applied, like a real server that finishes work nobody waits for.
    deps.stats.finished(outcome);
  }
}

async function answerImport(
  deps: ImportRouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
  arrivedAtMs: number,
): Promise<Outcome> {
  const answer: Answer = (status, body, headers = {}) => {
    sendJson(response, status, body, headers);
    return { status };
  };
  let rawBody: Buffer;
  try {
    rawBody = await readBody(request);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return answer(413, errorDetail(error.message), { connection: 'close' });
  }
  const shed = deps.faults.shedLoad(deps.stats.stats().inFlight);
  if (shed.kind === 'answer') return answer(shed.status, shed.body, shed.headers);
  if (!(await waitOutLatency(deps))) return dropConnection(request);

  const fault = deps.faults.decide(Date.now());
  if (fault.kind === 'drop') return dropConnection(request);
  if (fault.kind === 'answer') return answer(fault.status, fault.body, fault.headers);

  const token = await deps.verifyToken(request.headers.authorization);
  if (!token.ok) {
    const challenge: Record<string, string> =
      token.status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {};
    return answer(token.status, errorDetail(token.detail), challenge);
  }
  const check = validateImportPayload(rawBody.toString('utf8'));
  if (!check.ok) return answer(422, { errors: check.errors });
  const { payload } = check;
  if (payload.tenant_id !== token.tenantId) {
    return answer(403, errorDetail(`token tenant ${token.tenantId} may not import for ${payload.tenant_id}`));
  }
  if (deps.faults.refusesTenant(payload.tenant_id)) {
    return answer(403, errorDetail(`imports for tenant ${payload.tenant_id} are suspended`));
  }
  if (deps.faults.rejectsInvoice(payload.external_id)) {
    return answer(422, {
      errors: { external_id: ['is rejected by finance (injected fault: rejectInvoices)'] },
    });
  }

  return applyImport(deps, { payload, rawBody, arrivedAtMs, request }, answer);
}

type Answer = (status: number, body: unknown, headers?: Record<string, string>) => Outcome;

interface AuthorizedImport {
  payload: ImportPayload;
  rawBody: Buffer;
  arrivedAtMs: number;
  request: IncomingMessage;
}

/** An authorized, valid import: the stored answer for a repeated key, else the upsert. */
function applyImport(deps: ImportRouteDeps, call: AuthorizedImport, answer: Answer): Outcome {
  const { payload } = call;
  const idempotencyKey = firstHeader(call.request.headers['idempotency-key']);
  const bodySha256 = createHash('sha256').update(call.rawBody).digest('hex');
  const stored =
    idempotencyKey === null
      ? undefined
      : deps.idempotency.recall(payload.tenant_id, idempotencyKey, bodySha256);
  if (stored !== undefined) {
    deps.stats.replayed();
    // Stripe's header name: tells a curious client the answer came from the store, not a new import.
    return answer(stored.status, stored.body, { 'idempotent-replayed': 'true' });
  }

  const { id, action } = deps.store.upsert(payload, new Date());
  const status = action === 'created' ? 201 : 200;
  const body = { data: { id, action } };
  if (idempotencyKey !== null) {
    deps.idempotency.remember(payload.tenant_id, idempotencyKey, bodySha256, { status, body });
  }
  const outcome = answer(status, body);
  deps.stats.accepted({
    tenant_id: payload.tenant_id,
    source: payload.source,
    external_id: payload.external_id,
    action,
    invoice_id: id,
    body_sha256: bodySha256,
    idempotency_key: idempotencyKey,
    traceparent: firstHeader(call.request.headers.traceparent),
    tracestate: firstHeader(call.request.headers.tracestate),
    arrivedAtMs: call.arrivedAtMs,
    finishedAtMs: preciseNowMs(),
  });
  return outcome;
}

/** False when the server is closing: the request is then abandoned rather than answered. */
async function waitOutLatency(deps: ImportRouteDeps): Promise<boolean> {
  const latencyMs = deps.faults.latencyMs;
  if (latencyMs <= 0) return !deps.closing.aborted;
  try {
    await delay(latencyMs, undefined, { signal: deps.closing });
    return true;
  } catch {
    return false;
  }
}

function dropConnection(request: IncomingMessage): Outcome {
  request.socket.destroy();
  return 'dropped';
}

function preciseNowMs(): number {
  return performance.timeOrigin + performance.now();
}

function firstHeader(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}
