import { escapeHtml } from './html.ts';

// Up to the LAST `@` of the URL: a password may hold `@` (as DATABASE_URL's may), and hiding a
// little too much of a URL is better than showing part of a password.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:@/<>"']+):[^\s<>"']+@/gi;
const HIDDEN = '(hidden)';

/**
 * The last line of defence before a page leaves: any configured secret, however it got into an
 * error message or a header, and any password in a URL, is replaced. Pages are built from data
 * that should never hold them; this makes "no secret is ever rendered" hold even when it does.
 */
export function secretScrubber(secrets: readonly (string | undefined)[]): (page: string) => string {
  const forms = secrets
    .filter((s): s is string => s !== undefined && s.length >= 8)
    .flatMap((s) => [s, escapeHtml(s), encodeURIComponent(s)])
    .sort((a, b) => b.length - a.length);
  return (page) => {
    let out = page.replace(URL_PASSWORD, `$1:${HIDDEN}@`);
    for (const form of forms) out = out.replaceAll(form, HIDDEN);
    return out;
  };
}
