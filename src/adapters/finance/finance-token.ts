import { createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { FinanceConfig } from '../../config/config.ts';

/** Re-mint this long before `exp`, so a token never expires while a request is on the wire. */
const REFRESH_MARGIN_FRACTION = 0.25;

/**
 * Mints the short-lived access token finance expects (claims as the Elixir side's Guardian
 * tokens: iss, aud, sub, typ, tenant_id, roles, iat, nbf, exp, jti) and reuses it until shortly
 * before it expires. The secret is kept as bytes and never logged or put in an error.
 */
export class FinanceTokenSource {
  /** Imported once: jose would otherwise re-import raw bytes on every signing. */
  readonly #key: KeyObject;
  readonly #config: FinanceConfig;
  readonly #now: () => number;
  #cached: { token: string; refreshAtMs: number } | undefined;
  #minting: Promise<string> | undefined;

  constructor(config: FinanceConfig, secret: Uint8Array, now: () => number = Date.now) {
    this.#config = config;
    this.#key = createSecretKey(secret);
    this.#now = now;
  }

  async token(): Promise<string> {
    if (this.#cached && this.#now() < this.#cached.refreshAtMs) return this.#cached.token;
    // Concurrent callers share one signing.
    this.#minting ??= this.#mint().finally(() => {
      this.#minting = undefined;
    });
    return this.#minting;
  }

  /** Forget the cached token (finance refused it: mint a fresh one for the retry). */
  invalidate(): void {
    this.#cached = undefined;
  }

  async #mint(): Promise<string> {
    const { jwt, identity } = this.#config;
    const issuedAt = Math.floor(this.#now() / 1000);
    const token = await new SignJWT({ typ: 'access', tenant_id: identity.tenantId, roles: identity.roles })
      .setProtectedHeader({ alg: jwt.algorithm, typ: 'JWT' })
      .setIssuer(jwt.issuer)
      .setAudience(jwt.audience)
      .setSubject(identity.tenantId)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(issuedAt + jwt.ttlSeconds)
      .setJti(randomUUID())
      .sign(this.#key);
    const lifetimeMs = jwt.ttlSeconds * 1000;
    this.#cached = { token, refreshAtMs: issuedAt * 1000 + lifetimeMs * (1 - REFRESH_MARGIN_FRACTION) };
    return token;
  }
}
