import { InvalidArgumentError } from 'commander';
import { UsageError } from '../failures/usage-error.ts';
import { type Coordinates, parseCoordinates } from '../operator/cli-arguments.ts';
import type { Actor } from './console-auth.ts';
import type { ConsoleDeps, RouteRequest } from './console-deps.ts';
import { localPath, page, type Reply, redirect } from './console-http.ts';
import { isConsolePage } from './console-pages.ts';
import { redriveResultPage } from './dead-letters-view.ts';
import { loginPage, noticePage } from './notice-view.ts';
import { topicOf } from './read-routes.ts';
import { readReplayForm } from './replay-form.ts';
import { replayPage } from './replay-view.ts';

/** The operator the routes let in: every action route is behind sign-in (console-routes.ts). */
function actorOf(request: RouteRequest): Actor {
  return request.actor ?? { name: 'unknown', via: 'bearer' };
}

export async function redrive(deps: ConsoleDeps, request: RouteRequest): Promise<Reply> {
  const form = request.form;
  const which = topicOf(form.get('topic'));
  const back = `/dead-letters?topic=${which}`;
  const gate = { actor: actorOf(request) };
  let offsets: Coordinates[];
  try {
    offsets = form.getAll('offset').map(parseCoordinates);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    return page(noticePage('Redrive refused', error.message, 'dead-letters', back), 400);
  }
  if (offsets.length === 0) {
    return page(
      noticePage('Nothing to redrive', 'Select at least one dead letter.', 'dead-letters', back),
      400,
    );
  }
  const force = form.get('force') === '1';
  const topic = deps.deadLetters.topicName(which);
  const chosen = offsets.map((c) => `${c.partition}:${c.offset}`);
  deps.audit.info(
    { actor: gate.actor, action: 'redrive', topic, offsets: chosen, force },
    'console action: redrive',
  );
  try {
    const result = await deps.deadLetters.redrive(which, offsets, force);
    deps.audit.info(
      { actor: gate.actor, action: 'redrive', topic, redriven: result.redriven, skipped: result.skipped },
      'console action done: redrive',
    );
    return page(redriveResultPage(which, result));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return page(noticePage('Redrive refused', error.message, 'dead-letters', back), 400);
  }
}

export function replayStart(deps: ConsoleDeps, request: RouteRequest): Reply {
  const read = readReplayForm(request.form);
  const base = { topic: deps.replayTopic, form: read.form, preview: undefined, now: deps.now() };
  const gate = { actor: actorOf(request) };
  if (read.problem !== undefined) {
    return page(
      replayPage({ ...base, job: deps.replay.current(), problem: read.problem }, request.context),
      400,
    );
  }
  const started = deps.replay.start(read.selection, gate.actor);
  if (!started.ok) {
    deps.audit.warn({ actor: gate.actor, action: 'replay' }, 'console action refused: a replay is running');
    return page(
      replayPage({ ...base, job: deps.replay.current(), problem: started.message }, request.context),
      409,
    );
  }
  deps.audit.info(
    { actor: gate.actor, action: 'replay', selection: read.form },
    'console action: replay started',
  );
  return redirect('/replay');
}

export function replayStop(deps: ConsoleDeps, request: RouteRequest): Reply {
  const gate = { actor: actorOf(request) };
  if (deps.replay.stop(gate.actor.name)) {
    deps.audit.info({ actor: gate.actor, action: 'replay-stop' }, 'console action: replay stopped');
  }
  return redirect('/replay');
}

export function signIn(deps: ConsoleDeps, request: RouteRequest): Reply {
  const form = request.form;
  const back = localPath(form.get('back'), isConsolePage);
  const result = deps.auth.login(form.get('name') ?? '', form.get('token') ?? '');
  if (!result.ok) {
    deps.audit.warn(
      { action: 'sign-in', status: result.status, remote: request.remote },
      'console sign-in refused',
    );
    return page(loginPage(result.message, back), result.status);
  }
  deps.audit.info({ actor: result.actor, action: 'sign-in', remote: request.remote }, 'console sign-in');
  return redirect(back, result.cookie);
}

export function signOut(deps: ConsoleDeps, request: RouteRequest): Reply {
  return redirect('/', deps.auth.logout(request.credentials.session));
}
