import { daysToIsoDate } from '../invoice/calendar-date.ts';
import { stoppedEarlyText } from '../platform/kafka/read-budget.ts';
import { money, shortSha, utc } from './format.ts';
import { bidi, html, type SafeHtml } from './html.ts';
import type { InvoiceHistory } from './invoice-history.ts';
import type { Page } from './layout.ts';
import { pushTable } from './pushes-view.ts';

export interface InvoiceSearch {
  key: string;
  /** Undefined before a search, or when the key is not `tenant:provider:invoice`. */
  history: InvoiceHistory | undefined;
  problem: string | undefined;
  announcementWindow: number;
  topics: { pushed: string; deadLetter: string };
}

export function invoicePage(search: InvoiceSearch): Page {
  return {
    title: 'Invoice search',
    section: 'invoices',
    body: html`<form method="get" action="/invoices" class="search">
<label for="key">Invoice key</label>
<input id="key" name="key" value="${search.key}" placeholder="platform-admin:digitalocean:INV-2026-04-DO-4512389" size="60" autocomplete="off">
<button type="submit">Search</button>
</form>
${search.problem ? html`<p class="error">${search.problem}</p>` : ''}
${search.history ? results(search.history, search) : ''}`,
  };
}

function results(history: InvoiceHistory, search: InvoiceSearch): SafeHtml {
  const window = history.window ?? search.announcementWindow;
  const scope = html`<p class="muted">The last ${String(window)} records of the key's partition.</p>`;
  return html`<p class="muted">History of ${bidi(history.key)}, from what the service holds.</p>
${history.errors.map((e) => html`<p class="error">${e.source} could not be read: ${e.error}</p>`)}
<section class="card" id="recorded"><h2>Recorded in cloud_invoices</h2>${recorded(history)}</section>
<section class="card" id="announced"><h2>Pushes announced on ${search.topics.pushed}</h2>
${scope}${stopped(history, search.topics.pushed)}${announced(history)}</section>
<section class="card" id="dead-letters"><h2>Dead letters on ${search.topics.deadLetter}</h2>
${history.window === undefined ? '' : scope}${stopped(history, search.topics.deadLetter)}${deadLetters(history)}</section>
<section class="card" id="seen"><h2>Seen by this process since it started</h2><p class="muted">Pushes, skips and dead letters; skips are kept nowhere else.</p>${pushTable(history.seen)}</section>`;
}

/** Why a topic's search may have missed older records: "stopped early after 10000 records (time limit)". */
function stopped(history: InvoiceHistory, topic: string): SafeHtml | string {
  const stop = history.stoppedEarly?.find((s) => s.source === topic);
  if (!stop) return '';
  const why =
    stop.reason === 'time limit'
      ? 'the newer records of the partition were not searched'
      : 'older records of the partition were not searched';
  return html`<p class="notice stopped-early">Search ${stoppedEarlyText(stop)}: ${why}.</p>`;
}

function recorded(history: InvoiceHistory): SafeHtml {
  const row = history.recorded;
  if (!row) return html`<p class="empty">No row for this key.</p>`;
  const fields: [string, unknown][] = [
    ['finance_invoice_id', row.finance_invoice_id],
    ['invoice_period', row.invoice_period],
    ['amount_cents', row.amount_cents],
    ['status', row.status],
    ['pushed_to_finance_at', row.pushed_to_finance_at],
    ['finance_payload_sha256', row.finance_payload_sha256],
    ['inserted_at', row.inserted_at],
    ['updated_at', row.updated_at],
  ];
  return html`<dl class="record">${fields.map(
    ([name, value]) =>
      html`<div><dt>${name}</dt><dd data-field="${name}">${value instanceof Date ? utc(value.getTime()) : String(value ?? '—')}</dd></div>`,
  )}</dl>`;
}

function announced(history: InvoiceHistory): SafeHtml {
  if (history.announced.length === 0) return html`<p class="empty">None found.</p>`;
  return html`<table><thead><tr><th>pushed at</th><th>at</th><th>action</th><th>finance id</th><th>period</th><th class="num">gross</th><th class="num">tax</th><th class="num">net</th><th class="num">lines</th><th>payload sha256</th></tr></thead><tbody>${history.announced.map(
    ({ partition, offset, event: e }) =>
      html`<tr><td class="time">${utc(e.pushed_at)}</td><td>${partition}:${offset}</td><td><span class="pill ${e.action}">${e.action}</span></td><td><code>${e.finance_invoice_id}</code></td><td>${daysToIsoDate(e.invoice_period)}</td><td class="num">${money(e.amount_gross_minor, e.currency)} ${e.currency}</td><td class="num">${money(e.amount_tax_minor, e.currency)}</td><td class="num">${money(e.amount_net_minor, e.currency)}</td><td class="num">${e.line_count}</td><td class="sha">${shortSha(e.payload_sha256)}</td></tr>`,
  )}</tbody></table>`;
}

function deadLetters(history: InvoiceHistory): SafeHtml {
  if (history.deadLetters.length === 0) return html`<p class="empty">None.</p>`;
  return html`<table><thead><tr><th>failed at</th><th>dead letter</th><th>code</th><th>reason</th></tr></thead><tbody>${history.deadLetters.map(
    (v) =>
      html`<tr><td class="time">${utc(v.failedAt)}</td><td><a href="/dead-letters/${v.partition}/${v.offset}">${v.partition}:${v.offset}</a></td><td><code>${v.errorCode}</code></td><td>${v.reason}</td></tr>`,
  )}</tbody></table>`;
}
