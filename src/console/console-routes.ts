import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import formBody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { redrive, replayStart, replayStop, signIn, signOut } from './action-routes.ts';
import { type Credentials, SESSION_COOKIE } from './console-auth.ts';
import type { ConsoleDeps, RouteRequest } from './console-deps.ts';
import { localPath, page, type Reply, redirect, send } from './console-http.ts';
import { isConsolePage } from './console-pages.ts';
import type { PageContext, Section } from './layout.ts';
import { noticePage } from './notice-view.ts';
import * as read from './read-routes.ts';
import { tenantAction } from './tenant-actions.ts';

type Handler = (deps: ConsoleDeps, request: RouteRequest) => Reply | Promise<Reply>;

/**
 * Who may use a route: `open` (sign-in, the stylesheet), `read` (any page: signed in or bearer),
 * `write` (an action: as read, and a session's must come from the console's own origin). `expensive`
 * routes read a topic and share OPS_READ_CONCURRENCY slots.
 */
interface Route {
  method: 'GET' | 'POST';
  path: string;
  access: 'open' | 'read' | 'write';
  handler: Handler;
  /** For the audit log and refusal pages of actions. */
  action?: { name: string; section: Section; back: string };
  expensive?: true;
  /** At most OPS_SIGN_IN_PER_MINUTE requests per client address (sign-in). */
  throttled?: true;
}

const CSS = readFileSync(new URL('./console.css', import.meta.url), 'utf8');

const ROUTES: Route[] = [
  { method: 'GET', path: '/', access: 'read', handler: read.overview },
  { method: 'GET', path: '/pushes', access: 'read', handler: read.pushes },
  { method: 'GET', path: '/invoices', access: 'read', handler: read.invoices, expensive: true },
  { method: 'GET', path: '/tenants', access: 'read', handler: read.tenants },
  {
    method: 'POST',
    path: '/tenants/pause',
    access: 'write',
    handler: (deps, request) => tenantAction(deps, request, 'pause'),
    action: { name: 'pause-tenant', section: 'tenants', back: '/tenants' },
  },
  {
    method: 'POST',
    path: '/tenants/resume',
    access: 'write',
    handler: (deps, request) => tenantAction(deps, request, 'resume'),
    action: { name: 'resume-tenant', section: 'tenants', back: '/tenants' },
  },
  { method: 'GET', path: '/dead-letters', access: 'read', handler: read.deadLetters, expensive: true },
  {
    method: 'GET',
    path: '/dead-letters/:partition(^\\d{1,9}$)/:offset(^\\d{1,19}$)',
    access: 'read',
    handler: read.deadLetter,
    expensive: true,
  },
  {
    method: 'POST',
    path: '/dead-letters/redrive',
    access: 'write',
    handler: redrive,
    action: { name: 'redrive', section: 'dead-letters', back: '/dead-letters' },
  },
  { method: 'GET', path: '/replay', access: 'read', handler: read.replay },
  { method: 'GET', path: '/replay/preview', access: 'read', handler: read.replayPreview, expensive: true },
  {
    method: 'POST',
    path: '/replay/start',
    access: 'write',
    handler: replayStart,
    action: { name: 'replay', section: 'replay', back: '/replay' },
  },
  {
    method: 'POST',
    path: '/replay/stop',
    access: 'write',
    handler: replayStop,
    action: { name: 'stop', section: 'replay', back: '/replay' },
  },
  { method: 'GET', path: '/audit', access: 'read', handler: read.audit },
  { method: 'GET', path: '/login', access: 'open', handler: read.login },
  { method: 'POST', path: '/login', access: 'open', handler: signIn, throttled: true },
  { method: 'POST', path: '/logout', access: 'open', handler: signOut },
  {
    method: 'GET',
    path: '/assets/console.css',
    access: 'open',
    handler: () => ({ kind: 'asset', type: 'text/css; charset=utf-8', body: CSS }),
  },
];

/** The console as a Fastify plugin of the ops server. */
export function consolePlugin(deps: ConsoleDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(cookie);
    await app.register(formBody);
    await app.register(rateLimit, { global: false });
    app.setErrorHandler((error: FastifyError, request, reply) => failed(deps, error, request, reply));
    const reads = { running: 0 };
    const throttle = { rateLimit: signInLimit(deps) };
    for (const route of ROUTES) {
      app.route({
        method: route.method,
        url: route.path,
        ...(route.throttled ? { config: throttle } : {}),
        handler: (request, reply) => serve(deps, route, reads, request, reply),
      });
    }
  };
}

function signInLimit(deps: ConsoleDeps) {
  return {
    max: deps.limits.signInsPerMinute,
    timeWindow: 60_000, // a minute
    onExceeded: (request: FastifyRequest) =>
      deps.audit.warn({ action: 'sign-in', status: 429, remote: request.ip }, 'console sign-in throttled'),
  };
}

async function serve(
  deps: ConsoleDeps,
  route: Route,
  reads: { running: number },
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const routeRequest = toRouteRequest(request);
  const gate = admit(deps, route, routeRequest);
  if (gate) return send(reply, gate, routeRequest.context, deps.scrub);
  const answer = async () =>
    send(reply, await route.handler(deps, routeRequest), routeRequest.context, deps.scrub);
  if (!route.expensive) return answer();
  if (reads.running >= deps.limits.readConcurrency) {
    const message = 'Too many topic reads are running at once; try again in a moment.';
    const busy = page(noticePage('Busy', message, 'overview', '/'), 429);
    return send(reply.header('retry-after', '5'), busy, routeRequest.context, deps.scrub);
  }
  reads.running += 1;
  try {
    return await answer();
  } finally {
    reads.running -= 1;
  }
}

/** Lets the request in (filling in its actor) or answers why not: undefined means go on. */
function admit(deps: ConsoleDeps, route: Route, request: RouteRequest): Reply | undefined {
  if (route.access === 'open') return undefined;
  const decision = deps.auth.authorize(request.credentials, route.access === 'write');
  if (decision.ok) {
    request.actor = decision.actor;
    request.context.signedIn = decision.actor.name;
    return undefined;
  }
  if (route.access === 'read' && decision.status === 401 && request.credentials.authorization === undefined) {
    // A browser that is not signed in is sent to sign in, and brought back to the page it asked for.
    return redirect(`/login?back=${encodeURIComponent(localPath(request.url, isConsolePage))}`);
  }
  const action = route.action ?? { name: 'read', section: 'overview' as Section, back: '/' };
  deps.audit.warn(
    { action: action.name, status: decision.status, remote: request.remote },
    route.access === 'write' ? 'console action refused' : 'console read refused',
  );
  const title = route.access === 'write' ? `${capitalized(action.name)} refused` : 'Refused';
  return page(noticePage(title, decision.message, action.section, action.back), decision.status);
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function toRouteRequest(request: FastifyRequest): RouteRequest {
  const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
  const headers = request.headers;
  const credentials: Credentials = {
    authorization: headers.authorization,
    session: request.cookies[SESSION_COOKIE],
    origin: headers.origin,
    host: headers.host,
    actor: typeof headers['x-ops-actor'] === 'string' ? headers['x-ops-actor'] : undefined,
  };
  return {
    params: Object.values((request.params ?? {}) as Record<string, string>),
    query: new URLSearchParams(search),
    form: formOf(request.body),
    credentials,
    actor: undefined,
    url: request.url,
    remote: request.ip,
    context: { signedIn: undefined },
  };
}

/** The parsed url-encoded body (repeated names give arrays); anything else is an empty form. */
function formOf(body: unknown): URLSearchParams {
  const form = new URLSearchParams();
  if (typeof body !== 'object' || body === null) return form;
  for (const [name, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item));
  }
  return form;
}

/**
 * What Fastify or a page could not do: the client's mistakes (a body too large, a type it cannot
 * read, too many sign-ins) are said plainly with their 4xx; anything else is logged and answered 500
 * without its message (it may hold what a request carried).
 */
function failed(deps: ConsoleDeps, error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
  const context: PageContext = { signedIn: undefined };
  if (status === 429) {
    const message = 'Too many sign-in attempts from your address: wait a minute and try again.';
    return send(
      reply.header('retry-after', '60'),
      page(noticePage('Slow down', message, 'login', '/login'), 429),
      context,
      deps.scrub,
    );
  }
  if (status < 500) {
    const message = `The request could not be read (${error.code ?? status}).`;
    return send(reply, page(noticePage('Refused', message, 'overview', '/'), status), context, deps.scrub);
  }
  deps.audit.error({ err: error, path: request.routeOptions.url }, 'console page failed');
  const message = 'The page failed on the service’s side; the service log has the details.';
  return send(
    reply,
    page(noticePage('Something failed', message, 'overview', '/'), 500),
    context,
    deps.scrub,
  );
}
