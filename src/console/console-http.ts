import type { FastifyReply } from 'fastify';
import { SESSION_COOKIE, type SessionCookie } from './console-auth.ts';
import { layout, type Page, type PageContext } from './layout.ts';

/** What a console route answers; `send` writes it. */
export type Reply =
  | { kind: 'page'; status: number; page: Page; cookie?: SessionCookie }
  | { kind: 'redirect'; location: string; cookie?: SessionCookie }
  | { kind: 'asset'; type: string; body: string };

// No script runs on any page; styles come from the console itself; nothing may frame it.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export function page(page: Page, status = 200, cookie?: SessionCookie): Reply {
  return cookie === undefined ? { kind: 'page', status, page } : { kind: 'page', status, page, cookie };
}

export function redirect(location: string, cookie?: SessionCookie): Reply {
  return cookie === undefined ? { kind: 'redirect', location } : { kind: 'redirect', location, cookie };
}

/** Writes a route's answer; every page passes through `scrub`, so no secret leaves in one. */
export function send(
  reply: FastifyReply,
  answer: Reply,
  context: PageContext,
  scrub: (text: string) => string,
): FastifyReply {
  if ('cookie' in answer && answer.cookie !== undefined) {
    const { value, maxAgeSeconds, secure } = answer.cookie;
    reply.setCookie(SESSION_COOKIE, value, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      maxAge: maxAgeSeconds,
      secure,
    });
  }
  if (answer.kind === 'asset') {
    return reply
      .headers({ 'content-type': answer.type, 'cache-control': 'max-age=300', ...SECURITY_HEADERS })
      .send(answer.body);
  }
  if (answer.kind === 'redirect') {
    return reply.header('cache-control', 'no-store').redirect(answer.location, 303);
  }
  return reply
    .code(answer.status)
    .headers({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS })
    .send(scrub(layout(answer.page, context)));
}

// A path and query of plain printable ASCII, with no backslash: no scheme, no host, no tab, no CR/LF.
const LOCAL_PATH = /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/;
const MAX_PATH_LENGTH = 2_000; // characters; longer is not a page of this console

/**
 * A path of this console to go back to after signing in (`isPage` says which paths are pages);
 * anything else (another site, a header-splitting attempt, a path that is no page) becomes `/`.
 */
export function localPath(candidate: string | null | undefined, isPage: (path: string) => boolean): string {
  if (!candidate || candidate.length > MAX_PATH_LENGTH || !LOCAL_PATH.test(candidate)) return '/';
  const path = candidate.split('?')[0] as string;
  return isPage(path) ? candidate : '/';
}
