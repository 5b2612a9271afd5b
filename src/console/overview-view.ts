import type { ConsumerStatus } from '../consuming/consumer-status.ts';
import type { ProbeResult } from '../platform/readiness-probe.ts';
import { age, partitionList, utc } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import type { LagView } from './lag-history.ts';
import type { Page } from './layout.ts';
import { sparkline } from './sparkline.ts';

/** What /readyz reports, as the overview reads it. */
export interface ServiceStatus {
  ready: boolean;
  consumers: ConsumerStatus[];
  finance: { enabled: boolean; reason: string };
  database: ProbeResult;
  registry: ProbeResult;
  kafka: ProbeResult;
}

export interface OverviewData {
  status: ServiceStatus;
  lag: LagView[];
  /** Events being processed, by consumer name. */
  inFlight: Record<string, number>;
  /** Events handled since start, by consumer then outcome. */
  outcomes: Record<string, Record<string, number>>;
  lagIntervalSeconds: number;
  now: number;
}

export const OVERVIEW_REFRESH_SECONDS = 5;

export function overviewPage(data: OverviewData): Page {
  const { status } = data;
  return {
    title: 'Overview',
    section: 'overview',
    refreshSeconds: OVERVIEW_REFRESH_SECONDS,
    body: html`<p class="status-line">${pill(status.ready, status.ready ? 'READY' : 'NOT READY')}
<span class="muted">refreshed ${utc(data.now)} · every ${OVERVIEW_REFRESH_SECONDS} s</span></p>
<section class="cards">
${probeCard('Kafka', status.kafka)}${probeCard('Schema registry', status.registry)}${probeCard('Database', status.database)}
<div class="card" id="finance"><h2>Finance</h2>${pill(status.finance.enabled, status.finance.enabled ? 'pushing' : 'not pushing')}<p>${status.finance.reason}</p></div>
</section>
${status.consumers.length === 0 ? html`<p class="card">No consumer runs in this process.</p>` : ''}
<div class="consumers">${status.consumers.map((consumer) => consumerSection(consumer, data))}${idleLag(data)}</div>`,
  };
}

/** Lag of a group whose consumer does not run here (the pusher waiting for finance): still worth seeing grow. */
function idleLag(data: OverviewData): SafeHtml[] {
  return data.lag
    .filter((lag) => !data.status.consumers.some((c) => c.name === lag.name))
    .map(
      (lag) =>
        html`<section class="consumer card" id="consumer-${lag.name}"><h2>${lag.name} <span class="muted">group ${lag.groupId}</span> ${pill(false, 'not running')}</h2>${lagTable(lag, data)}</section>`,
    );
}

function pill(ok: boolean, text: string): SafeHtml {
  return html`<span class="pill ${ok ? 'ok' : 'bad'}">${text}</span>`;
}

function probeCard(title: string, probe: ProbeResult): SafeHtml {
  return html`<div class="card probe"><h2>${title}</h2>${pill(probe.ok, probe.ok ? 'answering' : 'unreachable')}${probe.error ? html`<p class="error">${probe.error}</p>` : ''}</div>`;
}

function consumerSection(consumer: ConsumerStatus, data: OverviewData): SafeHtml {
  const outcomes = Object.entries(data.outcomes[consumer.name] ?? {}).filter(([, n]) => n > 0);
  const lag = data.lag.find((l) => l.name === consumer.name);
  const joinedText = consumer.joined ? 'joined' : consumer.running ? 'not joined' : 'stopped';
  return html`<section class="consumer card" id="consumer-${consumer.name}">
<h2>${consumer.name} <span class="muted">group ${consumer.groupId}</span> ${pill(consumer.joined && !consumer.systemicFailure, joinedText)}</h2>
<dl class="facts">
<div><dt>assigned</dt><dd class="assigned">${partitionList(consumer.assigned)}</dd></div>
<div><dt>paused</dt><dd class="paused${consumer.paused.length > 0 ? ' warn' : ''}">${partitionList(consumer.paused)}</dd></div>
<div><dt>in flight</dt><dd class="in-flight">${data.inFlight[consumer.name] ?? 0}</dd></div>
<div><dt>group joins</dt><dd title="more than 1 means rebalances">${consumer.joins}</dd></div>
<div><dt>total lag</dt><dd class="total-lag">${lag ? lag.partitions.reduce((sum, p) => sum + p.lag, 0) : '?'}</dd></div>
</dl>
${systemic(consumer, data.now)}
<h3>Handled since start</h3>
<p class="outcomes">${outcomes.length === 0 ? html`<span class="muted">nothing yet</span>` : outcomes.map(([outcome, n]) => html`<span class="count ${outcome}" data-outcome="${outcome}"><b>${n}</b> ${outcome.replace('_', ' ')}</span>`)}</p>
${lag ? lagTable(lag, data) : ''}
</section>`;
}

function systemic(consumer: ConsumerStatus, now: number): SafeHtml {
  const last = consumer.lastSystemicFailure;
  if (consumer.systemicFailure) {
    return html`<p class="systemic error"><b>Systemic failure, consumer paused:</b> ${consumer.systemicFailure}${last ? html` <span class="muted">(since ${utc(Date.parse(last.at))})</span>` : ''}</p>`;
  }
  if (!last) return html`<p class="systemic muted">No systemic failure since start.</p>`;
  const at = Date.parse(last.at);
  return html`<p class="systemic">Last systemic failure <b>${age(at, now)}</b> (${utc(at)}), over since: ${last.message}</p>`;
}

function lagTable(lag: LagView, data: OverviewData): SafeHtml {
  const points = Math.max(1, ...lag.partitions.map((p) => p.history.length));
  const span = duration(data.lagIntervalSeconds * points);
  return html`<h3>Lag on <code>${lag.topic}</code> <span class="muted">committed offsets, sampled every ${data.lagIntervalSeconds} s${lag.sampledAt ? html`, last ${age(lag.sampledAt, data.now)}` : ''}</span></h3>
${lag.error ? html`<p class="error">Lag not sampled: ${lag.error}</p>` : ''}
<table class="lag"><thead><tr><th>partition</th><th class="num">lag</th><th>last ${span}</th><th class="num">committed</th><th class="num">end</th></tr></thead>
<tbody>${lag.partitions.map(
    (p) =>
      html`<tr data-partition="${p.partition}"><td>${p.partition}</td><td class="num lag-now${p.lag > 0 ? ' warn' : ''}">${p.lag}</td><td>${sparkline(p.history, `lag of partition ${p.partition}, peak ${peak(p.history)}`)}${peak(p.history) > 0 ? html` <span class="muted peak">peak ${peak(p.history)}</span>` : ''}</td><td class="num">${p.committed}</td><td class="num">${p.end}</td></tr>`,
  )}</tbody></table>`;
}

/** `30 s`, `5 min`: how far back a sparkline reaches. */
function duration(seconds: number): string {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

function peak(points: number[]): number {
  return Math.max(0, ...points);
}
