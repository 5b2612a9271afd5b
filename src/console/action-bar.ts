import { html, type SafeHtml } from './html.ts';
import type { PageContext } from './layout.ts';

/**
 * The buttons of a form with an action: `controls` (the action's) and `free` (anything read-only,
 * shown whatever the mode).
 */
export function actionBar(context: PageContext, controls: SafeHtml, free: SafeHtml = html``): SafeHtml {
  const hint =
    context.signedIn === undefined
      ? html`<span class="muted">You will be asked to <a href="/login">sign in</a>.</span>`
      : '';
  return html`<p class="actions">${free} ${controls} ${hint}</p>`;
}
