import { html } from './html.ts';
import type { Page, Section } from './layout.ts';

/** Sign-in form: a name for the audit log, and the console token. */
export function loginPage(problem: string | undefined, back: string): Page {
  return {
    title: 'Sign in',
    section: 'login',
    body: html`${problem ? html`<p class="error" id="problem">${problem}</p>` : ''}
<form method="post" action="/login" class="card login">
<input type="hidden" name="back" value="${back}">
<label>Your name <span class="muted">(written to the audit log with each action)</span><input name="name" autocomplete="username" required maxlength="60"></label>
<label>Console token <span class="muted">(OPS_CONSOLE_TOKEN)</span><input name="token" type="password" autocomplete="current-password" required></label>
<p class="actions"><button type="submit" class="action">Sign in</button></p>
</form>`,
  };
}

/** A refusal or a failure, said plainly, with the way back. */
export function noticePage(title: string, message: string, section: Section, back: string): Page {
  return {
    title,
    section,
    body: html`<p class="error" id="problem">${message}</p><p><a href="${back}">Back</a></p>`,
  };
}
