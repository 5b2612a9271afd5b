import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  CLOCK_TOLERANCE_SECONDS,
  createTokenVerifier,
} from '../../../tools/finance-server/token-verifier.ts';

const SECRET = 'a-shared-secret-of-at-least-32-bytes!!';
const ISSUED = 1_777_593_600; // seconds

async function token(claims: Record<string, unknown> = {}, secret = SECRET) {
  return new SignJWT({ typ: 'access', tenant_id: 'acme', roles: ['admin'], ...claims })
    .setProtectedHeader({ alg: 'HS512' })
    .setIssuer('skyai_finance')
    .setAudience('skyai_finance')
    .setIssuedAt(ISSUED)
    .setNotBefore(ISSUED - 5)
    .setExpirationTime(ISSUED + 60)
    .sign(new TextEncoder().encode(secret));
}

/** A verifier whose clock the test moves, in seconds from the token's iat. */
async function verifierWithClock() {
  const clock = { seconds: 0 };
  const verify = await createTokenVerifier(
    {
      secret: SECRET,
      issuer: 'skyai_finance',
      audience: 'skyai_finance',
      algorithms: ['HS512'],
      writeRole: 'admin',
    },
    () => new Date((ISSUED + clock.seconds) * 1000),
  );
  return { clock, verify };
}

describe('reference finance server: token verifier', () => {
  it('a token accepted once is refused when its window has passed, and before it opens', async () => {
    const { clock, verify } = await verifierWithClock();
    const bearer = `Bearer ${await token()}`;
    expect(await verify(bearer)).toEqual({ ok: true, tenantId: 'acme', roles: ['admin'] });
    clock.seconds = 60 + CLOCK_TOLERANCE_SECONDS - 1;
    expect(await verify(bearer)).toMatchObject({ ok: true });
    clock.seconds = 60 + CLOCK_TOLERANCE_SECONDS;
    expect(await verify(bearer)).toEqual({ ok: false, status: 401, detail: 'token expired' });
    clock.seconds = 0;
    expect(await verify(bearer)).toMatchObject({ ok: true });
    clock.seconds = -5 - CLOCK_TOLERANCE_SECONDS - 1;
    expect(await verify(bearer)).toMatchObject({ ok: false, status: 401 });
  });

  it('remembers what the claims decided, and never a signature it has not checked', async () => {
    const { verify } = await verifierWithClock();
    const reader = `Bearer ${await token({ roles: ['reader'] })}`;
    expect(await verify(reader)).toEqual({ ok: false, status: 403, detail: 'token lacks the admin role' });
    expect(await verify(reader)).toEqual({ ok: false, status: 403, detail: 'token lacks the admin role' });
    const forged = `Bearer ${await token({}, 'another-secret-of-at-least-32-bytes!!!')}`;
    expect(await verify(forged)).toEqual({ ok: false, status: 401, detail: 'token signature invalid' });
    expect(await verify(forged)).toEqual({ ok: false, status: 401, detail: 'token signature invalid' });
  });
});
