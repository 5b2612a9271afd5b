import { describe, expect, it } from 'vitest';
import { ConsoleAuth, OTHER_SITE_MESSAGE, SIGN_IN_MESSAGE } from '../../src/console/console-auth.ts';

const TOKEN = 'a-console-token-of-some-length';
const host = { host: 'ops.internal:9464' };

describe('console auth: reading and acting both need OPS_CONSOLE_TOKEN', () => {
  it('accepts the right bearer token, naming the actor from X-Ops-Actor, and refuses a wrong one', () => {
    const auth = new ConsoleAuth({ token: TOKEN });
    expect(auth.authorize({ ...host }, false)).toEqual({ ok: false, status: 401, message: SIGN_IN_MESSAGE });
    expect(auth.authorize({ ...host, authorization: 'Bearer nope' }, false)).toEqual({
      ok: false,
      status: 401,
      message: 'The bearer token is wrong.',
    });
    expect(auth.authorize({ ...host, authorization: `Bearer ${TOKEN}`, actor: 'deploy-bot' }, true)).toEqual({
      ok: true,
      actor: { name: 'deploy-bot', via: 'bearer' },
    });
    expect(auth.authorize({ ...host, authorization: `Bearer ${TOKEN}` }, false)).toMatchObject({
      actor: { name: 'bearer token' },
    });
  });

  it('signs in with the token, opening a session whose cookie holds a random id, not the token', () => {
    const auth = new ConsoleAuth({ token: TOKEN });
    expect(auth.login('ann', 'wrong')).toEqual({
      ok: false,
      status: 401,
      message: 'Sign-in refused: the token is wrong.',
    });
    const signedIn = auth.login(' Ann \u202e\u0000', TOKEN);
    if (!signedIn.ok) throw new Error('expected a session');
    expect(signedIn.cookie).toEqual({
      value: expect.stringMatching(/^[\w-]{43}$/),
      maxAgeSeconds: 28_800,
      secure: false,
    });
    expect(signedIn.cookie.value).not.toContain(TOKEN);
    const session = signedIn.cookie.value;
    expect(auth.authorize({ ...host, session }, false)).toEqual({
      ok: true,
      actor: { name: 'Ann', via: 'session' },
    });
    expect(auth.authorize({ ...host, session, origin: 'http://ops.internal:9464' }, true)).toEqual({
      ok: true,
      actor: { name: 'Ann', via: 'session' },
    });
  });

  it('refuses a signed-in browser posting from another site, but lets it read', () => {
    const auth = new ConsoleAuth({ token: TOKEN });
    const signedIn = auth.login('ann', TOKEN);
    if (!signedIn.ok) throw new Error('expected a session');
    const session = signedIn.cookie.value;
    const foreign = { ...host, session, origin: 'https://evil.example' };
    expect(auth.authorize(foreign, true)).toEqual({ ok: false, status: 403, message: OTHER_SITE_MESSAGE });
    expect(auth.authorize({ ...foreign, origin: 'null' }, true)).toMatchObject({ ok: false, status: 403 });
    expect(auth.authorize(foreign, false)).toMatchObject({ ok: true });
  });

  it('behind a proxy compares Origin with OPS_PUBLIC_ORIGIN, not Host, and marks the cookie Secure for https', () => {
    const auth = new ConsoleAuth({ token: TOKEN, publicOrigin: 'https://ops.example.com' });
    const signedIn = auth.login('ann', TOKEN);
    if (!signedIn.ok) throw new Error('expected a session');
    expect(signedIn.cookie.secure).toBe(true);
    const session = signedIn.cookie.value;
    const proxied = { host: '10.0.0.5:9464', session };
    expect(auth.authorize({ ...proxied, origin: 'https://ops.example.com' }, true)).toMatchObject({
      ok: true,
    });
    expect(auth.authorize({ ...proxied, origin: 'http://10.0.0.5:9464' }, true)).toMatchObject({
      status: 403,
    });
    expect(auth.authorize({ ...proxied, origin: 'http://ops.example.com' }, true)).toMatchObject({
      status: 403,
    });
    expect(
      new ConsoleAuth({ token: TOKEN, publicOrigin: 'http://ops.local' }).login('a', TOKEN),
    ).toMatchObject({
      cookie: { secure: false },
    });
  });

  it('ends a session on sign-out and when it expires', () => {
    let now = 0;
    const auth = new ConsoleAuth({ token: TOKEN, sessionTtlMs: 1_000, now: () => now });
    const first = auth.login('ann', TOKEN);
    const second = auth.login('bob', TOKEN);
    if (!first.ok || !second.ok) throw new Error('expected sessions');
    expect(auth.logout(first.cookie.value)).toEqual({ value: '', maxAgeSeconds: 0, secure: false });
    expect(auth.authorize({ ...host, session: first.cookie.value }, false)).toMatchObject({ status: 401 });
    expect(auth.authorize({ ...host, session: second.cookie.value }, false)).toMatchObject({ ok: true });
    now = 1_000;
    expect(auth.authorize({ ...host, session: second.cookie.value }, false)).toMatchObject({ status: 401 });
  });
});
