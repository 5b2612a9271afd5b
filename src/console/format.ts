/** How figures read on the console's pages. Pure. */

const minorDigitsCache = new Map<string, number>();

function minorDigits(currency: string): number | undefined {
  if (!minorDigitsCache.has(currency)) {
    try {
      const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits;
      minorDigitsCache.set(currency, digits ?? 2);
    } catch {
      return undefined; // not an ISO 4217 code: shown in minor units
    }
  }
  return minorDigitsCache.get(currency);
}

/** `8692, 'USD'` → `86.92`; an unknown currency keeps its minor units. */
export function money(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  if (digits === undefined) return `${minor} (minor units)`;
  const sign = minor < 0 ? '-' : '';
  const abs = BigInt(Math.abs(minor));
  if (digits === 0) return `${sign}${abs.toLocaleString('en')}`;
  const scale = 10n ** BigInt(digits);
  const whole = (abs / scale).toLocaleString('en');
  return `${sign}${whole}.${String(abs % scale).padStart(digits, '0')}`;
}

/** `2026-05-01 10:00:03Z`: UTC, to the second, the same for every reader. */
const MAX_DATE_MS = 8_640_000_000_000_000; // the ECMAScript Date range either side of 1970

export function utc(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) return '?';
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** `4 s ago`, `3 min ago`, `2 h ago`. */
export function age(ms: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  return `${Math.round(minutes / 60)} h ago`;
}

export function shortSha(sha: string): string {
  return sha.slice(0, 12);
}

/** Partitions as `0, 1, 2` or `none`. */
export function partitionList(partitions: readonly number[]): string {
  return partitions.length === 0 ? 'none' : partitions.join(', ');
}
