import { isValidIdentifier } from '../invoice/invoice-identity.ts';
import type { ConsoleDeps, RouteRequest } from './console-deps.ts';
import { page, type Reply, redirect } from './console-http.ts';
import { tenantsPage } from './tenants-view.ts';

const MAX_REASON = 200; // characters of a pause's reason kept and shown

/** POST /tenants/pause and /tenants/resume: for every pusher instance, this one at once. */
export async function tenantAction(
  deps: ConsoleDeps,
  request: RouteRequest,
  action: 'pause' | 'resume',
): Promise<Reply> {
  const tenant = request.form.get('tenant') ?? '';
  const reason = (request.form.get('reason') ?? '').trim();
  const refuse = (problem: string) => page(tenantsPage(deps.tenants.rows(), problem), 400);
  if (!isValidIdentifier('tenant_id', tenant))
    return refuse('A tenant is 1-64 characters of A-Z a-z 0-9 . _ -');
  if (reason.length > MAX_REASON) return refuse(`A reason is at most ${MAX_REASON} characters`);
  const actor = request.actor?.name ?? 'unknown';
  deps.audit.info({ actor, action, tenant_id: tenant }, `console action: ${action} tenant`);
  const changed =
    action === 'pause'
      ? await deps.tenants.pause(tenant, `console:${actor}`, reason || undefined)
      : await deps.tenants.resume(tenant);
  deps.audit.info({ actor, action, tenant_id: tenant, changed }, `console action done: ${action} tenant`);
  return redirect('/tenants');
}
