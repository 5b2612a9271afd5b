/**
 * DATABASE_URL as MikroORM reads it: WHATWG `new URL`, then `decodeURIComponent` of the user,
 * password and database name (@mikro-orm/core Connection.getConnectionOptions). Passwords are where
 * that goes wrong: an unencoded `@` is fine (the URL parser takes the last one before the host), but
 * an unencoded `/`, `?` or `#` ends the host early, so the URL either fails to parse or, worse,
 * parses as another host with the rest of the password as the database name; and a lone `%` makes
 * `decodeURIComponent` throw at connect time. Those are refused at start, naming the variable and
 * never showing the password.
 */

const ENCODE_HINT = "percent-encode '/' as %2F, '?' as %3F, '#' as %23 and '%' as %25 in the password";

/** Why `value` is no usable PostgreSQL URL, in words without its password; undefined when it is. */
export function databaseUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value.includes('@')
      ? `a postgres://user:password@host:port/database URL (${ENCODE_HINT})`
      : 'a postgres://user:password@host:port/database URL';
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return 'a postgres:// URL';
  // An `@` after the host means the host ended inside the user or password (an unencoded `/`).
  const afterHost = value.slice(value.indexOf('//') + 2).search(/[/?#]/);
  if (afterHost >= 0 && value.slice(value.indexOf('//') + 2 + afterHost).includes('@')) {
    return `no '@' after the host: ${ENCODE_HINT} (and '@' as %40 in the database name)`;
  }
  for (const part of [url.username, url.password, url.pathname]) {
    try {
      decodeURIComponent(part);
    } catch {
      return `well-formed percent-encoding in the user, password and database name (${ENCODE_HINT})`;
    }
  }
  return undefined;
}

/**
 * `text` with the password of a `scheme://user:password@host` URL replaced by `***`, whatever the
 * password holds: it runs from the first `:` after the user to the LAST `@`, so a password with an
 * `@`, `/` or `:` in it is hidden whole (a later `@`, in the query say, only hides more).
 */
export function maskUrlPassword(text: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text);
  if (!scheme) return text;
  const start = scheme[0].length;
  const lastAt = text.lastIndexOf('@');
  const colon = text.indexOf(':', start);
  if (lastAt < start || colon < 0 || colon > lastAt) return text;
  return `${text.slice(0, colon + 1)}***${text.slice(lastAt)}`;
}
