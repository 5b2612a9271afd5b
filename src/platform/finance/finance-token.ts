import { createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { FinanceConfig } from '../../config/config.ts';

/** Re-mint this long before `exp`, so a token never expires while a request is on the wire. */
const REFRESH_MARGIN_FRACTION = 0.25;
/** Above this many cached identities, expired tokens are dropped on the next mint. */
const MAX_CACHED_IDENTITIES = 1_000;
/**
 * `nbf` lies this many seconds before `iat`: a finance host whose clock is behind ours by less than
 * this still accepts a token the moment it is minted, instead of answering 401 (which would cost a
 * fresh token and, on a second 401, stop the pusher as systemic). The reference finance server
 * verifies with the same tolerance (docs/finance-contract.md).
 */
export const CLOCK_SKEW_SECONDS = 5;

/**
 * Mints the short-lived access token finance expects (claims as the Elixir side's Guardian
 * tokens: iss, aud, sub, typ, tenant_id, roles, iat, nbf, exp, jti; `nbf` allows CLOCK_SKEW_SECONDS of
 * clock skew) for a tenant identity, and reuses
 * each identity's token until shortly before it expires. The secret is kept as a key object and
 * never logged or put in an error.
 */
export class FinanceTokenSource {
  /** Imported once: jose would otherwise re-import raw bytes on every signing. */
  readonly #key: KeyObject;
  readonly #config: FinanceConfig;
  readonly #now: () => number;
  readonly #cached = new Map<string, { token: string; refreshAtMs: number }>();
  readonly #minting = new Map<string, Promise<string>>();

  constructor(config: FinanceConfig, secret: Uint8Array, now: () => number = Date.now) {
    this.#config = config;
    this.#key = createSecretKey(secret);
    this.#now = now;
  }

  /** The token of `tenantId` (default: the configured identity, FINANCE_TENANT_ID). */
  async token(tenantId: string = this.#config.identity.tenantId): Promise<string> {
    const cached = this.#cached.get(tenantId);
    if (cached && this.#now() < cached.refreshAtMs) return cached.token;
    // Concurrent callers for one identity share one signing.
    let minting = this.#minting.get(tenantId);
    if (!minting) {
      minting = this.#mint(tenantId).finally(() => this.#minting.delete(tenantId));
      this.#minting.set(tenantId, minting);
    }
    return minting;
  }

  /** Forget an identity's cached token (finance refused it: mint a fresh one for the retry). */
  invalidate(tenantId: string = this.#config.identity.tenantId): void {
    this.#cached.delete(tenantId);
  }

  async #mint(tenantId: string): Promise<string> {
    const { jwt, identity } = this.#config;
    const issuedAt = Math.floor(this.#now() / 1000);
    const token = await new SignJWT({ typ: 'access', tenant_id: tenantId, roles: identity.roles })
      .setProtectedHeader({ alg: jwt.algorithm, typ: 'JWT' })
      .setIssuer(jwt.issuer)
      .setAudience(jwt.audience)
      .setSubject(tenantId)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt - CLOCK_SKEW_SECONDS)
      .setExpirationTime(issuedAt + jwt.ttlSeconds)
      .setJti(randomUUID())
      .sign(this.#key);
    const lifetimeMs = jwt.ttlSeconds * 1000;
    this.#forgetExpired();
    this.#cached.set(tenantId, {
      token,
      refreshAtMs: issuedAt * 1000 + lifetimeMs * (1 - REFRESH_MARGIN_FRACTION),
    });
    return token;
  }

  /** With `event-tenant` identities the cache holds one token per tenant seen: drop the stale ones. */
  #forgetExpired(): void {
    if (this.#cached.size < MAX_CACHED_IDENTITIES) return;
    const now = this.#now();
    for (const [tenantId, cached] of this.#cached)
      if (cached.refreshAtMs <= now) this.#cached.delete(tenantId);
  }
}
