import type { PushNote } from '../push/push-observer.ts';
import type { PushFilter } from '../push/recent-pushes.ts';
import { money, shortSha, utc } from './format.ts';
import { bidi, html, type SafeHtml } from './html.ts';
import type { Page } from './layout.ts';

export interface PushesData {
  notes: PushNote[];
  filter: PushFilter;
  facets: { tenants: string[]; providers: string[] };
  capacity: number;
}

export const PUSHES_REFRESH_SECONDS = 10;

export function pushesPage(data: PushesData): Page {
  const filtered = data.filter.tenant !== undefined || data.filter.provider !== undefined;
  return {
    title: 'Recent pushes',
    section: 'pushes',
    refreshSeconds: PUSHES_REFRESH_SECONDS,
    body: html`<form method="get" action="/pushes" class="filters">
${choice('tenant', 'Tenant', data.facets.tenants, data.filter.tenant)}
${choice('provider', 'Provider', data.facets.providers, data.filter.provider)}
<button type="submit">Filter</button>${filtered ? html` <a href="/pushes">clear</a>` : ''}
</form>
<p class="muted">The last ${data.capacity} outcomes of this process, newest first; refreshed every ${PUSHES_REFRESH_SECONDS} s. ${data.notes.length} shown.</p>
${pushTable(data.notes)}`,
  };
}

function choice(name: string, label: string, options: string[], chosen: string | undefined): SafeHtml {
  const all = chosen !== undefined && !options.includes(chosen) ? [...options, chosen] : options;
  return html`<label>${label} <select name="${name}"><option value="">any</option>${all.map(
    (option) => html`<option${option === chosen ? html` selected` : ''}>${option}</option>`,
  )}</select></label>`;
}

/** The pushes table, also used for an invoice's history. */
export function pushTable(notes: PushNote[]): SafeHtml {
  if (notes.length === 0) return html`<p class="empty">No push outcomes yet.</p>`;
  return html`<table class="pushes"><thead><tr><th>time</th><th>invoice key</th><th>outcome</th><th>finance id</th><th class="num">gross</th><th class="num">tax</th><th class="num">net</th><th class="num">latency</th><th>payload sha256</th></tr></thead>
<tbody>${notes.map(pushRow)}</tbody></table>`;
}

function pushRow(note: PushNote): SafeHtml {
  const key = html`<a href="/invoices?key=${encodeURIComponent(note.key)}">${bidi(note.key)}</a>`;
  const outcome = html`<span class="pill ${note.outcome}">${note.outcome.replace('_', ' ')}</span>`;
  const start = html`<td class="time">${utc(note.at)}</td><td class="key" title="${note.key}">${key}</td><td>${outcome}</td>`;
  if (note.outcome === 'skipped') {
    return html`<tr class="skipped">${start}<td colspan="5" class="muted">finance already holds this exact payload</td><td class="sha">${shortSha(note.sha256)}</td></tr>`;
  }
  if (note.outcome === 'dead_lettered') {
    return html`<tr class="dead-lettered">${start}<td colspan="6"><code>${note.code}</code> ${note.reason} <span class="muted">(${note.consumer}, ${note.source.topic} ${note.source.partition}:${note.source.offset})</span></td></tr>`;
  }
  const { totals, currency } = note;
  return html`<tr class="pushed">${start}<td class="finance-id" title="${note.financeInvoiceId}">${note.financeInvoiceId}</td><td class="num">${money(totals.gross, currency)} ${currency}</td><td class="num">${money(totals.tax, currency)}</td><td class="num">${money(totals.net, currency)}</td><td class="num">${note.latencyMs} ms</td><td class="sha">${shortSha(note.sha256)}</td></tr>`;
}
