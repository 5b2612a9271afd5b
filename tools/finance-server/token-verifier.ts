import type { CompactJWSHeaderParameters, CryptoKey } from 'jose';
import { errors as joseErrors, jwtVerify } from 'jose';

/**
 * Bearer-token check of the reference finance server: the same rules finance applies to the
 * service's JWT (see DESIGN.md, "Finance contract").
 */
export interface TokenVerifierOptions {
  secret: string | Uint8Array;
  issuer: string;
  audience: string;
  /** HMAC algorithms only: the contract is a shared secret. */
  algorithms: readonly string[];
  /** The role that may import invoices. */
  writeRole: string;
}

export type TokenCheck =
  | { ok: true; tenantId: string; roles: readonly string[] }
  | { ok: false; status: 401 | 403; detail: string };

export type TokenVerifier = (authorizationHeader: string | undefined) => Promise<TokenCheck>;

// The contract says a token lives at most 300 s; a longer-lived one is a client bug worth refusing.
const MAX_TOKEN_LIFETIME_SECONDS = 300; // five minutes
/**
 * Clock skew allowed on `exp` and `nbf` (docs/finance-contract.md): the service's clock and finance's
 * never agree exactly, and a host a few seconds behind would otherwise refuse a fresh token as not
 * yet valid. Small, so an expired token is still refused within seconds.
 */
export const CLOCK_TOLERANCE_SECONDS = 5;

const HMAC_HASH_BY_ALGORITHM: Readonly<Record<string, string>> = {
  HS256: 'SHA-256',
  HS384: 'SHA-384',
  HS512: 'SHA-512',
};

/**
 * Imports the secret once per allowed algorithm (a WebCrypto HMAC key is bound to one hash), because
 * jose re-imports a raw Uint8Array secret on every call.
 */
export async function createTokenVerifier(
  options: TokenVerifierOptions,
  /** The server's clock (seconds are what jose compares); tests set it behind the service's. */
  now: () => Date = () => new Date(),
): Promise<TokenVerifier> {
  const secretBytes =
    typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
  if (secretBytes.byteLength === 0) throw new Error('finance server: the JWT secret is empty');
  if (options.algorithms.length === 0) throw new Error('finance server: no JWT algorithm allowed');
  const keysByAlgorithm = new Map<string, CryptoKey>();
  for (const algorithm of options.algorithms) {
    const hash = HMAC_HASH_BY_ALGORITHM[algorithm];
    if (hash === undefined) {
      throw new Error(`finance server: unsupported JWT algorithm ${algorithm} (use HS256, HS384 or HS512)`);
    }
    const key = await crypto.subtle.importKey('raw', secretBytes, { name: 'HMAC', hash }, false, ['verify']);
    keysByAlgorithm.set(algorithm, key);
  }
  const verifyOptions = {
    algorithms: [...options.algorithms],
    issuer: options.issuer,
    audience: options.audience,
    requiredClaims: ['exp', 'iat'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
  };

  return async (authorizationHeader) => {
    const token = /^Bearer ([^\s]+)$/i.exec(authorizationHeader ?? '')?.[1];
    if (token === undefined) return { ok: false, status: 401, detail: 'missing bearer token' };
    let claims: Record<string, unknown>;
    try {
      // jose has already refused any algorithm outside `algorithms` before it asks for the key.
      const verified = await jwtVerify(
        token,
        (header: CompactJWSHeaderParameters) => keyFor(keysByAlgorithm, header.alg),
        { ...verifyOptions, currentDate: now() },
      );
      claims = verified.payload;
    } catch (error) {
      return { ok: false, status: 401, detail: describeJoseError(error) };
    }
    return checkClaims(claims, options.writeRole);
  };
}

function keyFor(keysByAlgorithm: ReadonlyMap<string, CryptoKey>, algorithm: string | undefined): CryptoKey {
  const key = keysByAlgorithm.get(algorithm ?? '');
  if (key === undefined) throw new joseErrors.JOSEAlgNotAllowed('token algorithm not allowed');
  return key;
}

function checkClaims(claims: Record<string, unknown>, writeRole: string): TokenCheck {
  // The JOSE header `typ` is not what the contract means: `typ` is a claim in the payload.
  if (claims.typ !== 'access') return { ok: false, status: 401, detail: 'token typ claim must be "access"' };
  const { tenant_id: tenantId, iat, exp } = claims;
  if (typeof tenantId !== 'string' || tenantId === '') {
    return { ok: false, status: 401, detail: 'token lacks a tenant_id claim' };
  }
  if (typeof iat === 'number' && typeof exp === 'number' && exp - iat > MAX_TOKEN_LIFETIME_SECONDS) {
    return { ok: false, status: 401, detail: `token lifetime exceeds ${MAX_TOKEN_LIFETIME_SECONDS} s` };
  }
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((role): role is string => typeof role === 'string')
    : [];
  if (!roles.includes(writeRole)) {
    return { ok: false, status: 403, detail: `token lacks the ${writeRole} role` };
  }
  return { ok: true, tenantId, roles };
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `token claim invalid: ${error.message}`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature invalid';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm not allowed';
  return 'token invalid';
}
