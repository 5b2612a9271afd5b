import { z } from 'zod';

/** The kinds of value variables hold; each schema takes the variable's text and names what it expected. */

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A whole number, or empty for "not set" (undefined): a default that follows another variable. */
export const optionalInt = (min: number, max: number) =>
  z.union([z.literal('').transform(() => undefined), int(min, max)]);

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** Any text, empty included: unset optional paths, secrets and user names. */
export const text = z.string();

/** Text that may not be empty: names of topics, groups, clients. */
export const name = z.string().min(1);

/** A comma-separated list, items trimmed, empty items dropped. */
export const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/** One word of letters or digits, as the tax-word matcher tokenizes a line. */
export const SINGLE_WORD = /^[\p{L}\p{N}]+$/u;
