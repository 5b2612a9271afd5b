import type { TenantRow, TenantWaitReason } from '../push/tenant-control.ts';
import { utc } from './format.ts';
import { bidi, html, type SafeHtml } from './html.ts';
import type { Page } from './layout.ts';

export const TENANTS_REFRESH_SECONDS = 5;

const WHY: Record<TenantWaitReason, string> = {
  held: 'paused: its events wait, in order, until it is resumed',
  'at-cap': 'at its own cap of events in progress (TENANT_MAX_IN_FLIGHT)',
  'at-rate': 'at its own rate (TENANT_MAX_RATE)',
  turn: 'waiting for its turn: other tenants’ events fill the slots toward finance (PUSHER_MAX_IN_FLIGHT)',
  parked:
    'over its share of the read-ahead (PUSHER_READ_AHEAD_*): its next events stay in Kafka and are read again, in order, as its earlier ones finish',
};

/**
 * The Tenants page: every tenant paused, in progress or waiting in this process, why its events wait
 * and for how long, and the forms that pause and resume one (for every pusher instance).
 */
export function tenantsPage(rows: TenantRow[], problem?: string): Page {
  return {
    title: 'Tenants',
    section: 'tenants',
    refreshSeconds: TENANTS_REFRESH_SECONDS,
    body: html`${problem === undefined ? '' : html`<p class="error">${problem}</p>`}
<p class="muted">Finance calls go to tenants in turn. Events of a paused tenant are read and held in order (as far as the read-ahead, PUSHER_READ_AHEAD_*, reaches; the rest stay in Kafka behind them) and go on, in order, when it is resumed. Counts are this process’s; refreshed every ${TENANTS_REFRESH_SECONDS} s.</p>
${tenantTable(rows)}
<form method="post" action="/tenants/pause" class="filters">
<label>Tenant <input name="tenant" required maxlength="64" pattern="[A-Za-z0-9._\\-]{1,64}"></label>
<label>Reason <input name="reason" maxlength="200"></label>
<button type="submit">Pause tenant</button>
</form>`,
  };
}

function tenantTable(rows: TenantRow[]): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">No tenant paused, in progress or waiting.</p>`;
  return html`<table class="tenants"><thead><tr><th>tenant</th><th>state</th><th class="num">in progress</th><th class="num">waiting</th><th class="num">oldest waiting</th><th>why it waits</th><th></th></tr></thead>
<tbody>${rows.map(tenantRow)}</tbody></table>`;
}

function tenantRow(row: TenantRow): SafeHtml {
  const state = row.pause
    ? html`<span class="pill dead_lettered">paused</span> <span class="muted">since ${utc(Date.parse(row.pause.paused_at))} by ${row.pause.paused_by}${row.pause.reason ? html`: ${row.pause.reason}` : ''}</span>`
    : html`<span class="pill created">flowing</span>`;
  const why = row.reason === undefined ? html`<span class="muted">–</span>` : html`${WHY[row.reason]}`;
  const action = row.pause
    ? html`<form method="post" action="/tenants/resume"><input type="hidden" name="tenant" value="${row.tenant}"><button type="submit">Resume</button></form>`
    : '';
  return html`<tr><td class="key">${row.tenant === '' ? html`<span class="muted">(keys of no tenant)</span>` : bidi(row.tenant)}</td><td>${state}</td><td class="num">${row.inFlight}</td><td class="num">${row.waiting}${row.parked > 0 ? html` <span class="muted">(${row.parked} in Kafka)</span>` : ''}</td><td class="num">${seconds(row.oldestWaitMs)}</td><td>${why}</td><td>${action}</td></tr>`;
}

function seconds(ms: number): string {
  return ms === 0 ? '–' : `${(ms / 1000).toFixed(1)} s`;
}
