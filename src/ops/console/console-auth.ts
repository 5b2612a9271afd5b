import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Who asked for an action, as the audit log records it. */
export interface Actor {
  name: string;
  via: 'bearer' | 'session';
}

export type Refusal = { ok: false; status: 401 | 403; message: string };
export type AuthDecision = { ok: true; actor: Actor } | Refusal;

export interface ConsoleAuthOptions {
  /** OPS_CONSOLE_TOKEN; undefined makes the console read-only. */
  token: string | undefined;
  sessionTtlMs?: number;
  now?: () => number;
}

export const SESSION_COOKIE = 'ops_console_session';
const SESSION_TTL_MS = 8 * 3_600_000; // one working day
const MAX_SESSIONS = 1_000; // the oldest go first: a flood of logins cannot grow memory
const ACTOR_HEADER = 'x-ops-actor';
const NAME_LENGTH = 60; // characters of a name kept for the audit log

export const READ_ONLY_MESSAGE =
  'This console is read-only: OPS_CONSOLE_TOKEN is not set on the service, so no action is accepted.';
export const SIGN_IN_MESSAGE =
  'This action needs the console token: sign in (top right), or send "Authorization: Bearer <token>".';

/**
 * Decides who may act. Reading needs nothing; actions need OPS_CONSOLE_TOKEN, either as a bearer
 * header (scripts) or through the login form, which sets an HttpOnly session cookie holding a
 * random id (never the token). Sessions live in memory: a restart signs everyone out.
 */
export class ConsoleAuth {
  readonly #tokenHash: Buffer | undefined;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #sessions = new Map<string, { name: string; expiresAt: number }>();

  constructor(options: ConsoleAuthOptions) {
    this.#tokenHash = options.token === undefined ? undefined : hash(options.token);
    this.#ttlMs = options.sessionTtlMs ?? SESSION_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  get actionsEnabled(): boolean {
    return this.#tokenHash !== undefined;
  }

  /** May the sender of these headers act? */
  authorize(headers: IncomingHttpHeaders): AuthDecision {
    if (!this.#tokenHash) return { ok: false, status: 403, message: READ_ONLY_MESSAGE };
    const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      if (!this.#matches(bearer)) return { ok: false, status: 401, message: 'The bearer token is wrong.' };
      return {
        ok: true,
        actor: { name: cleanName(header(headers, ACTOR_HEADER)) || 'bearer token', via: 'bearer' },
      };
    }
    const session = this.#session(headers);
    if (!session) return { ok: false, status: 401, message: SIGN_IN_MESSAGE };
    if (!sameOrigin(headers)) {
      return { ok: false, status: 403, message: 'Refused: the request came from another site.' };
    }
    return { ok: true, actor: { name: session.name, via: 'session' } };
  }

  /** Checks the token and opens a session; the caller sets the returned cookie. */
  login(name: string, token: string): { ok: true; cookie: string; actor: Actor } | Refusal {
    if (!this.#tokenHash) return { ok: false, status: 403, message: READ_ONLY_MESSAGE };
    if (!this.#matches(token))
      return { ok: false, status: 401, message: 'Sign-in refused: the token is wrong.' };
    const id = randomBytes(32).toString('base64url');
    const actor: Actor = { name: cleanName(name) || 'operator', via: 'session' };
    this.#sessions.set(id, { name: actor.name, expiresAt: this.#now() + this.#ttlMs });
    if (this.#sessions.size > MAX_SESSIONS)
      this.#sessions.delete(this.#sessions.keys().next().value as string);
    const maxAge = Math.floor(this.#ttlMs / 1000);
    return {
      ok: true,
      actor,
      cookie: `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}`,
    };
  }

  /** Ends the session of these headers; returns the cookie that clears it. */
  logout(headers: IncomingHttpHeaders): string {
    const id = cookie(headers, SESSION_COOKIE);
    if (id !== undefined) this.#sessions.delete(id);
    return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
  }

  /** The signed-in name, for the page header. */
  signedIn(headers: IncomingHttpHeaders): string | undefined {
    return this.#session(headers)?.name;
  }

  #session(headers: IncomingHttpHeaders): { name: string } | undefined {
    const id = cookie(headers, SESSION_COOKIE);
    const session = id === undefined ? undefined : this.#sessions.get(id);
    if (!session || id === undefined) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  #matches(candidate: string): boolean {
    // Hashing first gives equal lengths, so the comparison time says nothing about the token.
    return this.#tokenHash !== undefined && timingSafeEqual(hash(candidate), this.#tokenHash);
  }
}

function hash(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function cookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** A browser sends Origin with every form POST; a page on another site cannot fake it. */
function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true; // not a browser's cross-site POST (SameSite=Strict covers the rest)
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
const UNPRINTABLE = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

/** A name for the audit log: printable, trimmed, bounded. */
function cleanName(name: string): string {
  return name.replace(UNPRINTABLE, '').trim().slice(0, NAME_LENGTH);
}
