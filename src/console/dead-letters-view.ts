import { DLQ_HEADER } from '../dead-letters/dead-letter-headers.ts';
import type { DeadLetterList } from '../dead-letters/dead-letter-reader.ts';
import type { DeadLetterView } from '../dead-letters/dead-letter-view.ts';
import { sourceText } from '../dead-letters/dead-letter-view.ts';
import type { RedriveResult } from '../dead-letters/dlq-redrive.ts';
import { stoppedEarlyText } from '../platform/kafka/read-budget.ts';
import { actionBar } from './action-bar.ts';
import type { DeadLetterTopic } from './dead-letter-desk.ts';
import { utc } from './format.ts';
import { bidi, html, type SafeHtml } from './html.ts';
import type { Page, PageContext } from './layout.ts';

export interface DeadLettersData {
  which: DeadLetterTopic;
  topic: string;
  /** Newest first; `views.stoppedEarly` when a read limit cut the list short. */
  views: DeadLetterList;
  /** At most this many are listed; `dlq list` lists them all. */
  limit: number;
}

const REASON_CHARS = 160; // of the exception message in the list; the detail page has it all

export function deadLettersPage(data: DeadLettersData, context: PageContext): Page {
  const count = data.views.length;
  const shown =
    count < data.limit
      ? `${count} dead letter${count === 1 ? '' : 's'}`
      : `The newest ${data.limit} dead letters`;
  return {
    title: 'Dead letters',
    section: 'dead-letters',
    body: html`<p class="tabs">${topicTab('pusher', 'Pusher', data.which)}${topicTab('recorder', 'Recorder', data.which)}</p>
<p class="muted">${shown} on <code>${data.topic}</code>, newest first. Redrive sends the original bytes back to the topic they failed on, like <code>dlq redrive</code>.</p>
${data.views.stoppedEarly ? html`<p class="notice" id="stopped-early">The read ${stoppedEarlyText(data.views.stoppedEarly)}: newer dead letters may be missing; <code>dlq list</code> reads them all.</p>` : ''}
${data.views.length === 0 ? html`<p class="empty">No dead letters.</p>` : redriveForm(data, context)}`,
  };
}

function topicTab(which: DeadLetterTopic, label: string, current: DeadLetterTopic): SafeHtml {
  return html`<a href="/dead-letters?topic=${which}" class="tab"${which === current ? html` aria-current="page"` : ''}>${label}</a>`;
}

function redriveForm(data: DeadLettersData, context: PageContext): SafeHtml {
  return html`<form method="post" action="/dead-letters/redrive">
<input type="hidden" name="topic" value="${data.which}">
<table class="dead-letters"><thead><tr><th></th><th>dead letter</th><th>failed at</th><th>code</th><th>invoice key</th><th>reason</th><th>from</th></tr></thead>
<tbody>${data.views.map((view) => row(view, data.which))}</tbody></table>
${actionBar(
  context,
  html`<label><input type="checkbox" name="force" value="1"> send again even if redriven before</label>
<button type="submit" class="action">Redrive selected</button>`,
)}
</form>`;
}

function row(view: DeadLetterView, which: DeadLetterTopic): SafeHtml {
  const id = `${view.partition}:${view.offset}`;
  const again = view.headers[DLQ_HEADER.redrivenFrom];
  return html`<tr data-id="${id}"><td><input type="checkbox" name="offset" value="${id}" aria-label="select ${id}"></td>
<td><a href="/dead-letters/${view.partition}/${view.offset}?topic=${which}">${id}</a></td><td class="time">${utc(view.failedAt)}</td>
<td><code>${view.errorCode}</code></td><td class="key">${bidi(view.key ?? '(no key)')}</td>
<td class="reason">${truncate(view.reason)}${again ? html` <span class="muted">(redriven from ${again})</span>` : ''}</td><td class="muted">${sourceText(view)}</td></tr>`;
}

function truncate(text: string): string {
  return text.length <= REASON_CHARS ? text : `${text.slice(0, REASON_CHARS - 1)}…`;
}

export function redriveResultPage(which: DeadLetterTopic, result: RedriveResult): Page {
  return {
    title: 'Redrive',
    section: 'dead-letters',
    body: html`<p class="result"><b>${result.redriven.length}</b> redriven, <b>${result.skipped.length}</b> skipped.</p>
${result.redriven.length > 0 ? html`<table class="redriven"><thead><tr><th>dead letter</th><th>sent back to</th></tr></thead><tbody>${result.redriven.map((r) => html`<tr><td>${r.from}</td><td>${r.to.topic} ${r.to.partition}:${r.to.offset}</td></tr>`)}</tbody></table>` : ''}
${result.skipped.length > 0 ? html`<table class="skipped"><thead><tr><th>dead letter</th><th>skipped because</th></tr></thead><tbody>${result.skipped.map((s) => html`<tr><td>${s.from}</td><td>${s.why}${s.why === 'redriven before' ? ' (tick "send again" to force)' : ''}</td></tr>`)}</tbody></table>` : ''}
<p><a href="/dead-letters?topic=${which}">Back to the dead letters</a></p>`,
  };
}
