import { UsageError } from '../failures/usage-error.ts';
import { keyParts } from '../push/recent-pushes.ts';
import { auditPage } from './audit-view.ts';
import type { ConsoleDeps, RouteRequest } from './console-deps.ts';
import { localPath, page, type Reply } from './console-http.ts';
import { isConsolePage } from './console-pages.ts';
import type { DeadLetterTopic } from './dead-letter-desk.ts';
import { deadLetterPage } from './dead-letter-detail-view.ts';
import { deadLettersPage } from './dead-letters-view.ts';
import { ANNOUNCEMENT_WINDOW } from './invoice-history.ts';
import { invoicePage } from './invoice-view.ts';
import { loginPage, noticePage } from './notice-view.ts';
import { overviewPage } from './overview-view.ts';
import { pushesPage } from './pushes-view.ts';
import { readReplayForm } from './replay-form.ts';
import { EMPTY_REPLAY_FORM, replayPage } from './replay-view.ts';
import { tenantsPage } from './tenants-view.ts';

const DEAD_LETTERS_SHOWN = 200; // newest first; `dlq list` shows them all
const PREVIEW_ROWS = 200;

export async function overview(deps: ConsoleDeps): Promise<Reply> {
  const [status, inFlight, outcomes] = await Promise.all([deps.status(), deps.inFlight(), deps.outcomes()]);
  const lagIntervalSeconds = deps.lagIntervalMs / 1000;
  return page(
    overviewPage({ status, inFlight, outcomes, lag: deps.lag.views(), lagIntervalSeconds, now: deps.now() }),
  );
}

export function tenants(deps: ConsoleDeps): Reply {
  return page(tenantsPage(deps.tenants.rows()));
}

export function pushes(deps: ConsoleDeps, { query }: RouteRequest): Reply {
  const chosen = (name: string) => query.get(name) || undefined;
  const filter = { tenant: chosen('tenant'), provider: chosen('provider') };
  return page(
    pushesPage({
      notes: deps.pushes.list(filter),
      filter,
      facets: deps.pushes.facets(),
      capacity: deps.pushCapacity,
    }),
  );
}

export async function invoices(deps: ConsoleDeps, { query }: RouteRequest): Promise<Reply> {
  const key = (query.get('key') ?? '').trim();
  const base = { key, announcementWindow: ANNOUNCEMENT_WINDOW, topics: deps.topics };
  if (key === '') return page(invoicePage({ ...base, history: undefined, problem: undefined }));
  if (!keyParts(key)) {
    const problem =
      'An invoice key reads tenant_id:provider:provider_invoice_id, e.g. platform-admin:digitalocean:INV-1.';
    return page(invoicePage({ ...base, history: undefined, problem }), 400);
  }
  return page(invoicePage({ ...base, history: await deps.invoiceHistory(key), problem: undefined }));
}

export function topicOf(value: string | null): DeadLetterTopic {
  return value === 'recorder' ? 'recorder' : 'pusher';
}

export async function deadLetters(deps: ConsoleDeps, { query, context }: RouteRequest): Promise<Reply> {
  const which = topicOf(query.get('topic'));
  const views = await deps.deadLetters.list(which, DEAD_LETTERS_SHOWN);
  const topic = deps.deadLetters.topicName(which);
  return page(deadLettersPage({ which, topic, views, limit: DEAD_LETTERS_SHOWN }, context));
}

export async function deadLetter(deps: ConsoleDeps, request: RouteRequest): Promise<Reply> {
  const which = topicOf(request.query.get('topic'));
  const [partition, offset] = request.params;
  try {
    const shown = await deps.deadLetters.show(which, Number(partition), BigInt(offset ?? '0'));
    return page(deadLetterPage(which, shown, request.context));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return page(
      noticePage('No such dead letter', error.message, 'dead-letters', `/dead-letters?topic=${which}`),
      404,
    );
  }
}

export function replay(deps: ConsoleDeps, { context }: RouteRequest): Reply {
  const data = {
    topic: deps.replayTopic,
    form: EMPTY_REPLAY_FORM,
    job: deps.replay.current(),
    preview: undefined,
  };
  return page(replayPage({ ...data, problem: undefined, now: deps.now() }, context));
}

export async function replayPreview(deps: ConsoleDeps, { query, context }: RouteRequest): Promise<Reply> {
  const read = readReplayForm(query);
  const base = { topic: deps.replayTopic, form: read.form, job: deps.replay.current(), now: deps.now() };
  if (read.problem !== undefined)
    return page(replayPage({ ...base, preview: undefined, problem: read.problem }, context), 400);
  try {
    const preview = await deps.replay.preview(read.selection, PREVIEW_ROWS);
    return page(replayPage({ ...base, preview, problem: undefined }, context));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return page(replayPage({ ...base, preview: undefined, problem: error.message }, context), 400);
  }
}

/** The last audit run: one read of its row, so it is not one of the bounded topic reads. */
export async function audit(deps: ConsoleDeps): Promise<Reply> {
  return page(auditPage(await deps.lastAudit()));
}

export function login(_deps: ConsoleDeps, { query }: RouteRequest): Reply {
  return page(loginPage(undefined, localPath(query.get('back'), isConsolePage)));
}
