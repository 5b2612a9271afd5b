import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { CLOCK_SKEW_SECONDS, FinanceTokenSource } from '../../../src/platform/finance/finance-token.ts';
import {
  CLOCK_TOLERANCE_SECONDS,
  createTokenVerifier,
} from '../../../tools/finance-server/token-verifier.ts';

const SECRET = 'a-shared-secret-of-at-least-32-bytes!!';

function source(env: Record<string, string> = {}, now = () => Date.parse('2026-05-01T00:00:00Z')) {
  const { finance } = loadConfig({ FINANCE_JWT_SECRET: SECRET, ...env });
  return new FinanceTokenSource(finance, finance.secret as Uint8Array, now);
}

describe('finance access token', () => {
  it('is HS512 with the claims finance checks, valid for 60 s', async () => {
    const token = await source().token();
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS512', typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      iss: 'skyai_finance',
      aud: 'skyai_finance',
      sub: 'platform-admin',
      typ: 'access',
      tenant_id: 'platform-admin',
      roles: ['admin'],
      iat: 1_777_593_600,
      nbf: 1_777_593_595, // five seconds before iat: the documented clock skew
      exp: 1_777_593_660,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    await expect(
      jwtVerify(token, new TextEncoder().encode(SECRET), { currentDate: new Date('2026-05-01T00:00:30Z') }),
    ).resolves.toBeTruthy();
  });

  it('takes algorithm, identity, roles and lifetime from configuration', async () => {
    const token = await source({
      FINANCE_JWT_ALGORITHM: 'HS256',
      FINANCE_TENANT_ID: 'tenant-7',
      FINANCE_ROLES: 'admin,auditor',
      FINANCE_JWT_TTL_SECONDS: '300',
    }).token();
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    const claims = decodeJwt(token);
    expect([claims.sub, claims.tenant_id, claims.roles, (claims.exp ?? 0) - (claims.iat ?? 0)]).toEqual([
      'tenant-7',
      'tenant-7',
      ['admin', 'auditor'],
      300,
    ]);
  });

  it('is reused until shortly before it expires, and minted again after', async () => {
    let now = Date.parse('2026-05-01T00:00:00Z');
    const tokens = source({}, () => now);
    const first = await tokens.token();
    now += 40_000;
    expect(await tokens.token()).toBe(first);
    now += 10_000; // 50 s: inside the last quarter of its 60 s life
    expect(await tokens.token()).not.toBe(first);
  });

  it('is minted once for many concurrent callers, and again after invalidate()', async () => {
    const tokens = source();
    const many = await Promise.all(Array.from({ length: 20 }, () => tokens.token()));
    expect(new Set(many).size).toBe(1);
    tokens.invalidate();
    expect(await tokens.token()).not.toBe(many[0]);
  });

  it('is valid from CLOCK_SKEW_SECONDS before iat, so a verifier whose clock is 3 s behind accepts it at once', async () => {
    const mintedAt = Date.parse('2026-05-01T00:00:00Z');
    const token = await source({}, () => mintedAt).token();
    const { iat, nbf } = decodeJwt(token);
    expect(CLOCK_SKEW_SECONDS).toBe(5);
    expect(nbf).toBe((iat ?? 0) - CLOCK_SKEW_SECONDS);
    const secret = new TextEncoder().encode(SECRET);
    // No clockTolerance on the verifier's side: nbf alone carries the skew.
    await expect(jwtVerify(token, secret, { currentDate: new Date(mintedAt - 3_000) })).resolves.toBeTruthy();
    await expect(jwtVerify(token, secret, { currentDate: new Date(mintedAt - 6_000) })).rejects.toThrow(
      /"nbf" claim timestamp check failed/,
    );
  });

  it('is accepted by the reference finance server whose clock is 3 s behind, which tolerates the same skew', async () => {
    const mintedAt = Date.now();
    const token = await source({}, () => mintedAt).token();
    const verifierAt = (offsetMs: number) =>
      createTokenVerifier(
        {
          secret: SECRET,
          issuer: 'skyai_finance',
          audience: 'skyai_finance',
          algorithms: ['HS512'],
          writeRole: 'admin',
        },
        () => new Date(mintedAt + offsetMs),
      );
    expect(CLOCK_TOLERANCE_SECONDS).toBe(CLOCK_SKEW_SECONDS);
    expect(await (await verifierAt(-3_000))(`Bearer ${token}`)).toMatchObject({ ok: true });
    // The tolerance is small: a server 30 s behind still refuses the token as not yet valid.
    expect(await (await verifierAt(-30_000))(`Bearer ${token}`)).toMatchObject({ ok: false, status: 401 });
    // And past exp (60 s) plus the tolerance, it is expired.
    expect(await (await verifierAt(66_000))(`Bearer ${token}`)).toEqual({
      ok: false,
      status: 401,
      detail: 'token expired',
    });
    expect(await (await verifierAt(63_000))(`Bearer ${token}`)).toMatchObject({ ok: true });
  });
});
