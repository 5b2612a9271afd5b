import { z } from 'zod';
import { IDENTIFIER_RULES } from '../../invoice/invoice-identity.ts';
import { defineVars } from './define-vars.ts';
import { csv, int, name, optionalInt, SINGLE_WORD, text, url } from './value-schemas.ts';

export const FINANCE_VARS = defineVars('Finance', {
  SKYAI_FINANCE_URL: { default: 'http://localhost:4010', doc: 'Finance service base URL.', schema: url },
  FINANCE_CA_FILE: {
    default: '',
    doc: 'PEM file of the CA that signed an https finance URL’s certificate.',
    schema: text,
  },
  FINANCE_JWT_SECRET: {
    default: '',
    doc: 'Shared HMAC secret (at least 32 bytes). Without it (or the _FILE variant) pushing is disabled.',
    schema: text,
  },
  FINANCE_JWT_SECRET_FILE: {
    default: '',
    doc: 'File holding the shared secret (takes precedence over FINANCE_JWT_SECRET).',
    schema: text,
  },
  FINANCE_JWT_ALGORITHM: {
    default: 'HS512',
    doc: 'JWT signing algorithm: HS256, HS384 or HS512.',
    schema: z.enum(['HS256', 'HS384', 'HS512']),
  },
  FINANCE_JWT_ISSUER: { default: 'skyai_finance', doc: 'JWT iss claim.', schema: name },
  FINANCE_JWT_AUDIENCE: { default: 'skyai_finance', doc: 'JWT aud claim.', schema: name },
  FINANCE_JWT_TTL_SECONDS: { default: '60', doc: 'Token lifetime (s), at most 300.', schema: int(5, 300) },
  FINANCE_IDENTITY: {
    default: 'fixed',
    doc: 'Token identity: fixed (FINANCE_TENANT_ID for every push) or event-tenant (the event’s tenant_id).',
    schema: z.enum(['fixed', 'event-tenant']),
  },
  FINANCE_TENANT_ID: {
    default: 'platform-admin',
    doc: 'The configured identity (JWT sub and tenant_id): every push in fixed mode, and the 403 probe.',
    // The tenant rule of events: this identity goes into tokens and the probe as a tenant_id does.
    schema: z.string().regex(IDENTIFIER_RULES.tenant_id.pattern, IDENTIFIER_RULES.tenant_id.rule),
  },
  FINANCE_ROLES: {
    default: 'admin',
    doc: 'Comma-separated roles in the token; admin passes finance write-role check.',
    schema: csv.pipe(z.array(z.string()).min(1, 'expected at least one role')),
  },
  FINANCE_CONNECTIONS: {
    default: '',
    doc: 'Maximum keep-alive connections to finance; empty: as many as PUSHER_MAX_IN_FLIGHT. Fewer also caps the calls in flight.',
    schema: optionalInt(1, 1024),
  },
  FINANCE_CONNECT_TIMEOUT_MS: {
    default: '5000',
    doc: 'TCP connect timeout to finance (ms).',
    schema: int(100, 120_000),
  },
  FINANCE_HEADERS_TIMEOUT_MS: {
    default: '30000',
    doc: 'Time to wait for finance response headers (ms).',
    schema: int(100, 600_000),
  },
  FINANCE_BODY_TIMEOUT_MS: {
    default: '10000',
    doc: 'Time to wait between finance response body chunks (ms).',
    schema: int(100, 600_000),
  },
  FINANCE_PUSH_DEADLINE_MS: {
    default: '45000',
    doc: 'One deadline per push, retries included (ms); below KAFKA_REBALANCE_TIMEOUT_MS.',
    schema: int(100, 600_000),
  },
  FINANCE_MAX_RETRIES: {
    default: '4',
    doc: 'Retries of a transient finance failure before the partition is paused.',
    schema: int(0, 20),
  },
  FINANCE_RETRY_MIN_DELAY_MS: {
    default: '200',
    doc: 'First retry backoff (ms); doubles with jitter.',
    schema: int(1, 60_000),
  },
  FINANCE_RETRY_MAX_DELAY_MS: {
    default: '5000',
    doc: 'Largest retry backoff (ms), also the cap on Retry-After.',
    schema: int(1, 600_000),
  },
});

const taxWordsByProvider = z.string().transform((s, ctx) => {
  const table: Record<string, string[]> = {};
  for (const entry of s.split(';').filter((e) => e.trim() !== '')) {
    const [provider, words] = entry.split('=');
    if (!provider?.trim() || !words?.trim()) {
      ctx.addIssue({ code: 'custom', message: `expected "provider=word,word;..." but got "${entry}"` });
      return z.NEVER;
    }
    const list = words
      .split(',')
      .map((w) => w.trim().toLowerCase())
      .filter(Boolean);
    // A word of two tokens could never match a token and would silently turn tax lines into net.
    const notOneWord = list.find((w) => !SINGLE_WORD.test(w));
    if (notOneWord !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `single words of letters or digits, but "${notOneWord}" (for ${provider.trim()}) is not one`,
      });
      return z.NEVER;
    }
    table[provider.trim()] = list;
  }
  return table;
});

export const TAX_VARS = defineVars('Tax words', {
  TAX_WORDS: {
    default: 'gst,tax,taxes',
    doc: 'Words that mark a line as tax (whole words, any case).',
    schema: csv.pipe(z.array(z.string().regex(SINGLE_WORD, 'expected single words')).min(1)),
  },
  TAX_WORDS_BY_PROVIDER: {
    default: '',
    doc: 'Per-provider word lists: "aws=tax,vat;gcp=tax".',
    schema: taxWordsByProvider,
  },
});
