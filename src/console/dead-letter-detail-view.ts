import { type DecodedValue, invoiceGist, previewLines } from '../dead-letters/dead-letter-details.ts';
import { type DeadLetterView, sourceText } from '../dead-letters/dead-letter-view.ts';
import type { InvoiceLinesIngested } from '../invoice/invoice-events.ts';
import { actionBar } from './action-bar.ts';
import type { DeadLetterTopic } from './dead-letter-desk.ts';
import { utc } from './format.ts';
import { bidi, html, type SafeHtml } from './html.ts';
import type { Page, PageContext } from './layout.ts';

/** One dead letter in full, like `dlq show`: coordinates, reason, headers, key, value decoded. */
export function deadLetterPage(
  which: DeadLetterTopic,
  shown: { view: DeadLetterView; value: DecodedValue },
  context: PageContext,
): Page {
  const { view, value } = shown;
  const id = `${view.partition}:${view.offset}`;
  return {
    title: `Dead letter ${id}`,
    section: 'dead-letters',
    body: html`<dl class="record">
<div><dt>topic</dt><dd>${view.topic}</dd></div>
<div><dt>failed at</dt><dd>${utc(view.failedAt)}</dd></div>
<div><dt>source</dt><dd>${sourceText(view)}</dd></div>
<div><dt>error code</dt><dd><code class="code">${view.errorCode}</code></dd></div>
<div><dt>reason</dt><dd class="reason">${view.reason}</dd></div>
<div><dt>key</dt><dd class="key">${bidi(view.key ?? '(no key)')}</dd></div>
</dl>
<form method="post" action="/dead-letters/redrive">
<input type="hidden" name="topic" value="${which}"><input type="hidden" name="offset" value="${id}">
${actionBar(context, html`<label><input type="checkbox" name="force" value="1"> send again even if redriven before</label> <button type="submit" class="action">Redrive this one</button>`)}
</form>
<h2>Headers</h2>
<table class="headers"><tbody>${Object.entries(view.headers).map(([name, text]) => html`<tr><th>${name}</th><td>${text}</td></tr>`)}</tbody></table>
<h2>Value</h2>
${valueSection(view.value, value)}
<p><a href="/dead-letters?topic=${which}">Back to the dead letters</a></p>`,
  };
}

function valueSection(bytes: Buffer | null, value: DecodedValue): SafeHtml {
  const size = bytes === null ? 'null' : `${bytes.length} bytes`;
  if (!value.decoded) {
    return html`<p>${size}, not decoded: <span class="error">${value.reason}</span></p><pre class="preview">${previewLines(bytes).join('\n')}</pre>`;
  }
  const gist =
    value.as === 'InvoiceLinesIngested' ? invoiceGist(value.value as InvoiceLinesIngested) : undefined;
  return html`<p>${size}, schema id ${value.schemaId}, read as <b>${value.as}</b></p>
${gist ? html`<p class="gist">${gist}</p>` : ''}
<pre class="decoded">${JSON.stringify(value.value, bigintAsText, 2)}</pre>`;
}

// A long beyond 2^53 may decode as bigint, which JSON.stringify refuses.
function bigintAsText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
