import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { messageOf } from '../../core/errors.ts';
import type { Logger } from '../logger.ts';
import { redrive, replayStart, replayStop, signIn, signOut } from './action-routes.ts';
import type { ConsoleAuth } from './console-auth.ts';
import { page, type Reply, readForm, write } from './console-http.ts';
import type { DeadLetterDesk } from './dead-letter-desk.ts';
import type { InvoiceHistory } from './invoice-history.ts';
import type { LagHistory } from './lag-history.ts';
import type { PageContext } from './layout.ts';
import { noticePage } from './notice-view.ts';
import type { ServiceStatus } from './overview-view.ts';
import * as read from './read-routes.ts';
import type { RecentPushes } from './recent-pushes.ts';
import type { ReplayJobs } from './replay-jobs.ts';

/** Everything the console reads and acts on, wired by app.ts. */
export interface ConsoleDeps {
  status(): Promise<ServiceStatus>;
  inFlight(): Promise<Record<string, number>>;
  outcomes(): Promise<Record<string, Record<string, number>>>;
  lag: LagHistory;
  lagIntervalMs: number;
  pushes: RecentPushes;
  pushCapacity: number;
  deadLetters: DeadLetterDesk;
  invoiceHistory(key: string): Promise<InvoiceHistory>;
  replay: ReplayJobs;
  replayTopic: string;
  topics: { pushed: string; deadLetter: string };
  auth: ConsoleAuth;
  /** Where actions and refusals are logged, with who and what. */
  audit: Logger;
  /** Removes any secret from a page before it is sent. */
  scrub(page: string): string;
  now(): number;
}

export interface RouteRequest {
  params: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The url-encoded body of a POST. */
  form: URLSearchParams | undefined;
  remote: string | undefined;
  context: PageContext;
}

type Handler = (deps: ConsoleDeps, request: RouteRequest) => Reply | Promise<Reply>;

const CSS = readFileSync(new URL('./console.css', import.meta.url), 'utf8');

const ROUTES: [method: 'GET' | 'POST', path: RegExp, handler: Handler][] = [
  ['GET', /^\/$/, read.overview],
  ['GET', /^\/pushes$/, read.pushes],
  ['GET', /^\/invoices$/, read.invoices],
  ['GET', /^\/dead-letters$/, read.deadLetters],
  ['GET', /^\/dead-letters\/(\d+)\/(\d+)$/, read.deadLetter],
  ['POST', /^\/dead-letters\/redrive$/, redrive],
  ['GET', /^\/replay$/, read.replay],
  ['GET', /^\/replay\/preview$/, read.replayPreview],
  ['POST', /^\/replay\/start$/, replayStart],
  ['POST', /^\/replay\/stop$/, replayStop],
  ['GET', /^\/login$/, (_deps, request) => read.login(request)],
  ['POST', /^\/login$/, signIn],
  ['POST', /^\/logout$/, signOut],
  ['GET', /^\/assets\/console\.css$/, () => ({ kind: 'asset', type: 'text/css; charset=utf-8', body: CSS })],
];

/**
 * The console's request handler for the ops server: answers its own paths and returns true, or
 * returns false for anything else (left to /healthz, /readyz, /metrics and the 404).
 */
export function consoleHandler(deps: ConsoleDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://console');
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const route = ROUTES.find(([m, path]) => m === method && path.test(url.pathname));
    if (!route) return false;
    const context: PageContext = {
      signedIn: deps.auth.signedIn(req.headers),
      actionsEnabled: deps.auth.actionsEnabled,
    };
    handle(deps, route, req, url, context).then(
      (reply) => write(res, reply, context, deps.scrub),
      (error: unknown) => {
        deps.audit.warn({ err: error, path: url.pathname }, 'console page failed');
        const failed = noticePage('Something failed', messageOf(error), 'overview', '/');
        write(res, page(failed, 500), context, deps.scrub);
      },
    );
    return true;
  };
}

async function handle(
  deps: ConsoleDeps,
  [method, path, handler]: (typeof ROUTES)[number],
  req: IncomingMessage,
  url: URL,
  context: PageContext,
): Promise<Reply> {
  const form = method === 'POST' ? await readForm(req) : undefined;
  if (method === 'POST' && form === undefined) {
    return page(noticePage('Refused', 'The form is too large.', 'overview', '/'), 413);
  }
  const params = path.exec(url.pathname)?.slice(1) ?? [];
  const remote = req.socket.remoteAddress;
  return handler(deps, { params, query: url.searchParams, headers: req.headers, form, remote, context });
}
