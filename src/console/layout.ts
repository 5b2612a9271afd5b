import { html, type SafeHtml } from './html.ts';

export type Section =
  | 'overview'
  | 'pushes'
  | 'invoices'
  | 'tenants'
  | 'dead-letters'
  | 'replay'
  | 'audit'
  | 'login';

export interface PageContext {
  /** The signed-in operator (or the bearer token's actor); undefined on the sign-in page. */
  signedIn: string | undefined;
}

export interface Page {
  title: string;
  section: Section;
  body: SafeHtml;
  /** Reload every n seconds (no script: a meta refresh). */
  refreshSeconds?: number;
}

const NAV: [Section, string, string][] = [
  ['overview', '/', 'Overview'],
  ['pushes', '/pushes', 'Recent pushes'],
  ['invoices', '/invoices', 'Invoice search'],
  ['tenants', '/tenants', 'Tenants'],
  ['dead-letters', '/dead-letters', 'Dead letters'],
  ['replay', '/replay', 'Replay'],
  ['audit', '/audit', 'Audit'],
];

/** The shell of every page: header, navigation, who is signed in, the page's own content. */
export function layout(page: Page, context: PageContext): string {
  const nav = NAV.map(
    ([section, href, label]) =>
      html`<a href="${href}"${page.section === section ? html` aria-current="page"` : ''}>${label}</a>`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${page.refreshSeconds ? html`<meta http-equiv="refresh" content="${page.refreshSeconds}">` : ''}
<title>${page.title} · invoice-finance-sync</title>
<link rel="stylesheet" href="/assets/console.css">
</head>
<body>
<header class="top">
  <span class="brand">invoice-finance-sync</span>
  <nav>${nav}</nav>
  <span class="who">${whoIs(context)}</span>
</header>
<main>
<h1>${page.title}</h1>
${page.body}
</main>
</body>
</html>
`.text;
}

function whoIs(context: PageContext): SafeHtml {
  if (context.signedIn === undefined) return html`<a href="/login">Sign in</a>`;
  return html`<span>${context.signedIn}</span>
<form method="post" action="/logout" class="inline"><button class="link">Sign out</button></form>`;
}
