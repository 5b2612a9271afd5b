import type { MikroORM } from '@mikro-orm/postgresql';
import { type CommandOutput, processOutput } from '../operator/command-output.ts';
import { TenantPauses } from './tenant-pauses.ts';

/** What the `tenants` commands need: the database the pauses are kept in. */
export interface TenantPlatform {
  database: { orm: MikroORM };
}

/**
 * `tenants pause <tenant>`: every pusher instance holds the tenant's events (in order, none lost)
 * within TENANT_PAUSE_CHECK_MS, and keeps holding them across restarts, until `tenants resume`.
 */
export async function tenantsPause(
  platform: TenantPlatform,
  tenant: string,
  options: { reason?: string },
  output: CommandOutput = processOutput,
): Promise<void> {
  const paused = await new TenantPauses(platform.database.orm).pause(tenant, 'cli', options.reason);
  output.out(
    paused
      ? `paused ${tenant}: its events wait, in order, until it is resumed`
      : `${tenant} was paused already`,
  );
}

export async function tenantsResume(
  platform: TenantPlatform,
  tenant: string,
  output: CommandOutput = processOutput,
): Promise<void> {
  const resumed = await new TenantPauses(platform.database.orm).resume(tenant);
  output.out(resumed ? `resumed ${tenant}: its waiting events go on, in order` : `${tenant} was not paused`);
}

/** One line per paused tenant (or JSON): who paused it, when and why. */
export async function tenantsList(
  platform: TenantPlatform,
  options: { json: boolean },
  output: CommandOutput = processOutput,
): Promise<void> {
  const paused = await new TenantPauses(platform.database.orm).list();
  if (options.json) return output.out(JSON.stringify(paused));
  if (paused.length === 0) return output.out('no tenant is paused');
  for (const pause of paused) {
    output.out(
      `${pause.tenant_id}\tpaused ${pause.paused_at} by ${pause.paused_by}${pause.reason ? `: ${pause.reason}` : ''}`,
    );
  }
}
