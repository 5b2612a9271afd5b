/**
 * Text from outside (dead-letter headers and keys: anyone who can produce to a topic writes them)
 * made safe to print: nothing here throws, whatever the bytes.
 */

/** Characters a header shows at most; a longer value is cut, saying how much was left out. */
export const MAX_SHOWN_CHARACTERS = 4_096;

/** JavaScript Dates cover ±8.64e15 ms around the epoch; `toISOString` throws beyond that. */
const MAX_DATE_MS = 8_640_000_000_000_000;

// C0 and C1 controls (ANSI escape sequences, carriage returns that overwrite a terminal line),
// line and paragraph separators, bidirectional overrides (text that reads otherwise than it is)
// and the byte-order mark. Newline is kept apart: a stack trace reads better on its lines.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * `text` with unprintable characters as `\u001b` escapes, cut to `max` characters of what is shown
 * (escapes count at their shown length, so a value of control characters stays bounded too).
 */
export function printable(text: string, max = MAX_SHOWN_CHARACTERS): string {
  const shown = text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (shown.length <= max) return shown;
  let end = max;
  // Never half an escape (`\u00` of `\u001b`) nor half a surrogate pair.
  const escapeStart = shown.lastIndexOf('\\u', end - 1);
  if (
    escapeStart !== -1 &&
    escapeStart > end - 6 &&
    /^\\u[0-9a-f]{4}/.test(shown.slice(escapeStart, escapeStart + 6))
  ) {
    end = escapeStart;
  }
  if (/[\ud800-\udbff]/.test(shown[end - 1] ?? '')) end -= 1;
  return `${shown.slice(0, end)}… (${shown.length - end} more characters)`;
}

/** `printable`, on one line: newlines escaped too. */
export function printableLine(text: string, max = MAX_SHOWN_CHARACTERS): string {
  return printable(text.replaceAll('\n', '\\n'), max);
}

/**
 * Epoch milliseconds from text that should hold them (a header, a record timestamp), if it is a plain
 * integer a Date can hold; `99999999999999999999`, `1e3`, ` 5` or `-` give undefined.
 */
export function epochMillis(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d{1,16}$/.test(text)) return undefined;
  const ms = Number(text);
  return Math.abs(ms) <= MAX_DATE_MS ? ms : undefined;
}

/** ISO 8601 of `ms`, or `(no valid time)` for a number no Date can hold (never a RangeError). */
export function isoTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : '(no valid time)';
}
