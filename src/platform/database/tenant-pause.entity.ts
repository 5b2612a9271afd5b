import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/**
 * A tenant whose pushes an operator paused (`tenants pause`, the console's Tenants page): its events
 * wait, in order, until the row is deleted. Written and read with plain SQL (src/push/tenant-pauses.ts);
 * mapped only so the schema generator agrees with the migration.
 */
export const TenantPause = defineEntity({
  name: 'TenantPause',
  tableName: 'tenant_pauses',
  properties: {
    tenant_id: p.text().primary(),
    paused_at: p.datetime(),
    paused_by: p.text(),
    reason: p.text().nullable(),
  },
});

export type TenantPause = InferEntity<typeof TenantPause>;
