import { describe, expect, it } from 'vitest';
import {
  ConsoleAuth,
  READ_ONLY_MESSAGE,
  SESSION_COOKIE,
  SIGN_IN_MESSAGE,
} from '../../../src/ops/console/console-auth.ts';

const TOKEN = 'a-console-token-of-some-length';
const host = { host: 'ops.internal:9464' };

function sessionCookie(setCookie: string): string {
  return setCookie.split(';')[0] as string;
}

describe('console auth: reading is free, acting needs OPS_CONSOLE_TOKEN', () => {
  it('refuses every action, and every sign-in, when no token is configured', () => {
    const auth = new ConsoleAuth({ token: undefined });
    expect(auth.actionsEnabled).toBe(false);
    expect(auth.authorize({ ...host, authorization: `Bearer ${TOKEN}` })).toEqual({
      ok: false,
      status: 403,
      message: READ_ONLY_MESSAGE,
    });
    expect(auth.login('ann', TOKEN)).toMatchObject({ ok: false, status: 403 });
  });

  it('accepts the right bearer token, naming the actor from X-Ops-Actor, and refuses a wrong one', () => {
    const auth = new ConsoleAuth({ token: TOKEN });
    expect(auth.authorize({ ...host })).toEqual({ ok: false, status: 401, message: SIGN_IN_MESSAGE });
    expect(auth.authorize({ ...host, authorization: 'Bearer nope' })).toEqual({
      ok: false,
      status: 401,
      message: 'The bearer token is wrong.',
    });
    expect(
      auth.authorize({ ...host, authorization: `Bearer ${TOKEN}`, 'x-ops-actor': 'deploy-bot' }),
    ).toEqual({
      ok: true,
      actor: { name: 'deploy-bot', via: 'bearer' },
    });
    expect(auth.authorize({ ...host, authorization: `Bearer ${TOKEN}` })).toMatchObject({
      actor: { name: 'bearer token' },
    });
  });

  it('signs in with the token, setting an HttpOnly SameSite cookie that holds a random id, not the token', () => {
    const auth = new ConsoleAuth({ token: TOKEN });
    expect(auth.login('ann', 'wrong')).toEqual({
      ok: false,
      status: 401,
      message: 'Sign-in refused: the token is wrong.',
    });
    const signedIn = auth.login(' Ann \u202e\u0000', TOKEN);
    if (!signedIn.ok) throw new Error('expected a session');
    expect(signedIn.cookie).toMatch(
      new RegExp(`^${SESSION_COOKIE}=[\\w-]{43}; HttpOnly; SameSite=Strict; Path=/; Max-Age=28800$`),
    );
    expect(signedIn.cookie).not.toContain(TOKEN);
    const cookie = sessionCookie(signedIn.cookie);
    expect(auth.signedIn({ cookie })).toBe('Ann');
    expect(auth.authorize({ ...host, cookie, origin: 'http://ops.internal:9464' })).toEqual({
      ok: true,
      actor: { name: 'Ann', via: 'session' },
    });
  });

  it('refuses a signed-in browser posting from another site', () => {
    const auth = new ConsoleAuth({ token: TOKEN });
    const signedIn = auth.login('ann', TOKEN);
    if (!signedIn.ok) throw new Error('expected a session');
    const cookie = sessionCookie(signedIn.cookie);
    expect(auth.authorize({ ...host, cookie, origin: 'https://evil.example' })).toEqual({
      ok: false,
      status: 403,
      message: 'Refused: the request came from another site.',
    });
  });

  it('ends a session on sign-out and when it expires', () => {
    let now = 0;
    const auth = new ConsoleAuth({ token: TOKEN, sessionTtlMs: 1_000, now: () => now });
    const first = auth.login('ann', TOKEN);
    const second = auth.login('bob', TOKEN);
    if (!first.ok || !second.ok) throw new Error('expected sessions');
    expect(auth.logout({ cookie: sessionCookie(first.cookie) })).toBe(
      `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`,
    );
    expect(auth.signedIn({ cookie: sessionCookie(first.cookie) })).toBeUndefined();
    expect(auth.signedIn({ cookie: sessionCookie(second.cookie) })).toBe('bob');
    now = 1_000;
    expect(auth.authorize({ ...host, cookie: sessionCookie(second.cookie) })).toMatchObject({ status: 401 });
  });
});
