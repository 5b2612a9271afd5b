import { stoppedEarlyText } from '../platform/kafka/read-budget.ts';
import type { ReplayEvent } from '../replay/replay-events.ts';
import { replayLines } from '../replay/replay-output.ts';
import { actionBar } from './action-bar.ts';
import { utc } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import type { Page, PageContext } from './layout.ts';
import type { ReplayJob, ReplayPreview } from './replay-jobs.ts';

/** The form's fields as typed, so a preview or a refusal shows them again unchanged. */
export interface ReplayForm {
  partitions: string;
  fromOffset: string;
  toOffset: string;
  fromTime: string;
  toTime: string;
  key: string;
}

export const EMPTY_REPLAY_FORM: ReplayForm = {
  partitions: '',
  fromOffset: '',
  toOffset: '',
  fromTime: '',
  toTime: '',
  key: '',
};

export interface ReplayData {
  topic: string;
  form: ReplayForm;
  job: ReplayJob | undefined;
  preview: ReplayPreview | undefined;
  problem: string | undefined;
  now: number;
}

export const REPLAY_REFRESH_SECONDS = 2;

const PREVIEW = html`<button type="submit">Preview (dry run)</button>`;

const STATE_PILL: Record<ReplayJob['state'], string> = {
  running: 'running',
  finished: 'ok',
  stopped: 'running',
  failed: 'bad',
};

export function replayPage(data: ReplayData, context: PageContext): Page {
  const running = data.job?.state === 'running';
  return {
    title: 'Replay',
    section: 'replay',
    ...(running ? { refreshSeconds: REPLAY_REFRESH_SECONDS } : {}),
    body: html`<p class="muted">Re-pushes a range of <code>${data.topic}</code> to finance regardless of what was recorded, like the <code>replay</code> command, through a throwaway consumer group: the pusher's offsets never move. One replay at a time per service.</p>
${data.job ? jobSection(data.job, data.now, context) : ''}
${form(data, context, running)}
${data.problem ? html`<p class="error" id="problem">${data.problem}</p>` : ''}
${data.preview ? previewSection(data.preview) : ''}`,
  };
}

function field(
  name: keyof ReplayForm,
  label: string,
  value: string,
  placeholder: string,
  size = 14,
): SafeHtml {
  return html`<label>${label}<input name="${name}" value="${value}" placeholder="${placeholder}" size="${size}" autocomplete="off"></label>`;
}

function form(data: ReplayData, context: PageContext, running: boolean): SafeHtml {
  const f = data.form;
  return html`<form method="get" action="/replay/preview" class="replay card">
<h2>Range</h2>
<div class="fields">
${field('partitions', 'Partitions', f.partitions, 'all, or 0,2')}
${field('fromOffset', 'From offset', f.fromOffset, 'first')}
${field('toOffset', 'To offset (inclusive)', f.toOffset, 'last')}
${field('fromTime', 'From time', f.fromTime, '2026-05-01T00:00:00Z', 22)}
${field('toTime', 'To time (inclusive)', f.toTime, '2026-05-02T00:00:00Z', 22)}
${field('key', 'Only key', f.key, 'tenant:provider:invoice', 36)}
</div>
${
  running
    ? html`<p class="actions">${PREVIEW}</p><p class="notice">A replay is running; another can start when it ends.</p>`
    : actionBar(
        context,
        html`<button type="submit" formmethod="post" formaction="/replay/start" class="action">Start replay</button>`,
        PREVIEW,
      )
}
</form>`;
}

function previewSection(preview: ReplayPreview): SafeHtml {
  const selected = preview.totals.selected ?? preview.rows.length + preview.more;
  return html`<section class="card" id="preview"><h2>Dry run: ${String(selected)} selected</h2>
${preview.stoppedEarly ? html`<p class="notice" id="stopped-early">The dry run ${stoppedEarlyText(preview.stoppedEarly)}: only the first ${String(preview.stoppedEarly.read)} records of the range were read. Narrow the range to see the rest.</p>` : ''}
${preview.notes.map((line) => html`<p class="muted">${line}</p>`)}
${preview.rows.length === 0 ? html`<p class="empty">Nothing in this range.</p>` : html`<pre class="rows">${preview.rows.join('\n')}</pre>`}
${preview.more > 0 ? html`<p class="muted">… and ${preview.more} more.</p>` : ''}</section>`;
}

function jobSection(job: ReplayJob, now: number, context: PageContext): SafeHtml {
  const ended = job.finishedAt === undefined ? '' : html`, ended ${utc(job.finishedAt)}`;
  const seconds = Math.round(((job.finishedAt ?? now) - job.startedAt) / 1000);
  return html`<section class="card job ${job.state}" id="job"><h2>Replay <span class="pill ${STATE_PILL[job.state]}" id="job-state">${job.state}</span></h2>
<p>Started by <b>${job.actor.name}</b> at ${utc(job.startedAt)}${ended} (${seconds} s): ${selectionText(job)}</p>
${job.stoppedBy ? html`<p class="notice">Stopped by ${job.stoppedBy}: pushes in flight finished, nothing more was started.</p>` : ''}
${job.state === 'running' ? html`<form method="post" action="/replay/stop">${actionBar(context, html`<button type="submit">Stop replay</button>`)}</form>` : ''}
${job.error ? html`<p class="error">${job.error}</p>` : ''}
${job.totals ? totalsTable(job.totals) : ''}
${job.events.length > 0 ? html`<h3>Progress</h3><pre class="progress">${progressText(job.events)}</pre>` : ''}</section>`;
}

/** The engine's events as the command prints them; the closing summary is the totals table. */
function progressText(events: ReplayEvent[]): string {
  const lines = events.flatMap((event) => {
    if (event.type === 'finished') return [];
    if (event.type === 'stopped') return [event.resume_hint];
    return replayLines(event).map((line) => line.text);
  });
  return lines.join('\n');
}

function selectionText(job: ReplayJob): string {
  const s = job.selection;
  const parts = [
    s.partitions.length > 0 ? `partitions ${s.partitions.join(',')}` : 'all partitions',
    s.fromOffset !== undefined ? `from offset ${s.fromOffset}` : '',
    s.toOffset !== undefined ? `to offset ${s.toOffset}` : '',
    s.fromTime ? `from ${s.fromTime.toISOString()}` : '',
    s.toTime ? `to ${s.toTime.toISOString()}` : '',
    s.key !== undefined ? `key ${s.key}` : '',
  ];
  return parts.filter(Boolean).join(', ');
}

function totalsTable(totals: Record<string, unknown>): SafeHtml {
  const figures = Object.entries(totals).filter(([, v]) => typeof v === 'number');
  return html`<dl class="facts totals">${figures.map(([name, n]) => html`<div><dt>${name.replace(/_/g, ' ')}</dt><dd data-total="${name}">${String(n)}</dd></div>`)}</dl>`;
}
