import type { IncomingMessage, ServerResponse } from 'node:http';
import { layout, type Page, type PageContext } from './layout.ts';

/** What a console route answers; the router writes it. */
export type Reply =
  | { kind: 'page'; status: number; page: Page; cookie?: string }
  | { kind: 'redirect'; location: string; cookie?: string }
  | { kind: 'asset'; type: string; body: string };

export const MAX_FORM_BYTES = 64 * 1024; // a selection of many dead letters fits many times over

// No script runs on any page; styles come from the console itself; nothing may frame it.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export function page(page: Page, status = 200, cookie?: string): Reply {
  return cookie === undefined ? { kind: 'page', status, page } : { kind: 'page', status, page, cookie };
}

export function redirect(location: string, cookie?: string): Reply {
  return cookie === undefined ? { kind: 'redirect', location } : { kind: 'redirect', location, cookie };
}

export function write(
  res: ServerResponse,
  reply: Reply,
  context: PageContext,
  scrub: (text: string) => string,
): void {
  const cookie = 'cookie' in reply && reply.cookie !== undefined ? { 'set-cookie': reply.cookie } : {};
  if (reply.kind === 'asset') {
    res.writeHead(200, { 'content-type': reply.type, 'cache-control': 'max-age=300', ...SECURITY_HEADERS });
    res.end(reply.body);
    return;
  }
  if (reply.kind === 'redirect') {
    res.writeHead(303, { location: reply.location, 'cache-control': 'no-store', ...cookie });
    res.end();
    return;
  }
  res.writeHead(reply.status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
    ...cookie,
  });
  res.end(scrub(layout(reply.page, context)));
}

/** The url-encoded form of a POST, bounded in size. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** A path on this console to go back to after signing in; anything else (another site) becomes `/`. */
export function localPath(candidate: string | null | undefined): string {
  return candidate && /^\/(?![/\\])/.test(candidate) ? candidate : '/';
}
