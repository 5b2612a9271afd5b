import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Who read or acted, as the audit log records it. */
export interface Actor {
  name: string;
  via: 'bearer' | 'session';
}

export type Refusal = { ok: false; status: 401 | 403; message: string };
export type AuthDecision = { ok: true; actor: Actor } | Refusal;

/** What a request says about who sent it, taken from its headers and cookie. */
export interface Credentials {
  authorization?: string | undefined;
  /** The session cookie's value. */
  session?: string | undefined;
  origin?: string | undefined;
  host?: string | undefined;
  /** X-Ops-Actor: the name a script gives itself for the audit log. */
  actor?: string | undefined;
}

/** The session cookie to set (HttpOnly, SameSite=Strict, Path=/ always). */
export interface SessionCookie {
  value: string;
  maxAgeSeconds: number;
  secure: boolean;
}

export interface ConsoleAuthOptions {
  /** OPS_CONSOLE_TOKEN: the console exists only with one. */
  token: string;
  /** OPS_PUBLIC_ORIGIN: what a browser's Origin must be, and https makes the cookie Secure. */
  publicOrigin?: string | undefined;
  sessionTtlMs?: number;
  now?: () => number;
}

export const SESSION_COOKIE = 'ops_console_session';
const SESSION_TTL_MS = 8 * 3_600_000; // one working day
const MAX_SESSIONS = 1_000; // the oldest go first: a flood of logins cannot grow memory
const NAME_LENGTH = 60; // characters of a name kept for the audit log

export const SIGN_IN_MESSAGE =
  'This page needs the console token: sign in, or send "Authorization: Bearer <token>".';
export const OTHER_SITE_MESSAGE = 'Refused: the request came from another site.';

/**
 * Decides who may read and act. Everything the console shows or does needs OPS_CONSOLE_TOKEN, either
 * as a bearer header (scripts) or through the login form, which sets an HttpOnly session cookie
 * holding a random id (never the token). Sessions live in memory: a restart signs everyone out.
 */
export class ConsoleAuth {
  readonly #tokenHash: Buffer;
  readonly #publicOrigin: string | undefined;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #sessions = new Map<string, { name: string; expiresAt: number }>();

  constructor(options: ConsoleAuthOptions) {
    this.#tokenHash = hash(options.token);
    this.#publicOrigin = options.publicOrigin;
    this.#ttlMs = options.sessionTtlMs ?? SESSION_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /**
   * May the sender read (`write` false) or act (`write` true)? A session's write must come from the
   * console's own origin: a page on another site cannot ride the cookie (a bearer header it cannot send).
   */
  authorize(credentials: Credentials, write: boolean): AuthDecision {
    const bearer = /^Bearer\s+(.+)$/i.exec(credentials.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      if (!this.#matches(bearer)) return { ok: false, status: 401, message: 'The bearer token is wrong.' };
      return {
        ok: true,
        actor: { name: cleanName(credentials.actor ?? '') || 'bearer token', via: 'bearer' },
      };
    }
    const session = this.#session(credentials.session);
    if (!session) return { ok: false, status: 401, message: SIGN_IN_MESSAGE };
    if (write && !this.sameOrigin(credentials))
      return { ok: false, status: 403, message: OTHER_SITE_MESSAGE };
    return { ok: true, actor: { name: session.name, via: 'session' } };
  }

  /** Checks the token and opens a session; the caller sets the returned cookie. */
  login(name: string, token: string): { ok: true; cookie: SessionCookie; actor: Actor } | Refusal {
    if (!this.#matches(token))
      return { ok: false, status: 401, message: 'Sign-in refused: the token is wrong.' };
    const id = randomBytes(32).toString('base64url');
    const actor: Actor = { name: cleanName(name) || 'operator', via: 'session' };
    this.#sessions.set(id, { name: actor.name, expiresAt: this.#now() + this.#ttlMs });
    if (this.#sessions.size > MAX_SESSIONS)
      this.#sessions.delete(this.#sessions.keys().next().value as string);
    return { ok: true, actor, cookie: this.#cookie(id, Math.floor(this.#ttlMs / 1000)) };
  }

  /** Ends the session; returns the cookie that clears it. */
  logout(session: string | undefined): SessionCookie {
    if (session !== undefined) this.#sessions.delete(session);
    return this.#cookie('', 0);
  }

  /**
   * A browser sends Origin with every form POST, and a page on another site cannot fake it. Behind a
   * reverse proxy the Host the service sees is the proxy's, so OPS_PUBLIC_ORIGIN says what to expect.
   */
  sameOrigin({ origin, host }: Credentials): boolean {
    if (origin === undefined) return true; // not a browser's cross-site POST (SameSite=Strict covers the rest)
    if (this.#publicOrigin !== undefined) return origin === this.#publicOrigin;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }

  #cookie(value: string, maxAgeSeconds: number): SessionCookie {
    // Behind a TLS-terminating proxy the service sees plain HTTP; the public origin says https.
    return { value, maxAgeSeconds, secure: this.#publicOrigin?.startsWith('https:') === true };
  }

  #session(id: string | undefined): { name: string } | undefined {
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
    return timingSafeEqual(hash(candidate), this.#tokenHash);
  }
}

function hash(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
const UNPRINTABLE = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

/** A name for the audit log: printable, trimmed, bounded. */
function cleanName(name: string): string {
  return name.replace(UNPRINTABLE, '').trim().slice(0, NAME_LENGTH);
}
