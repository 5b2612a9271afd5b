/**
 * Removes credentials from what a log line carries, wherever a careless line puts them:
 * `authorization`, `token`, `secret`, `password` and `sasl` at the top or one level down,
 * `headers.authorization` at either, and `password` two levels down. Copies only what it changes,
 * so the common line (no credential anywhere) costs a walk over its keys and nothing else. pino's
 * own `redact` with wildcard paths re-parsed every path for every value of every line and every
 * child logger's bindings: a fifth of all the service's allocations, with a child per record.
 */
const CREDENTIALS = new Set(['authorization', 'token', 'secret', 'password', 'sasl']);

type Bag = Record<string, unknown>;

export function scrubCredentials<T extends object>(object: T): T {
  return scrub(object as Bag, 0) as T;
}

/** Depth 0: the line's own keys; 1: one level down; 2: only `password`. */
function scrub(object: Bag, depth: number): Bag {
  let out = object;
  for (const key of Object.keys(object)) {
    if (depth === 2 ? key === 'password' : CREDENTIALS.has(key)) {
      out = without(out, object, key);
      continue;
    }
    if (depth === 2) continue;
    const value = object[key];
    if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value))
      continue;
    const inner = key === 'headers' ? scrubHeaders(value as Bag, depth) : scrub(value as Bag, depth + 1);
    if (inner !== value) out = replaced(out, object, key, inner);
  }
  return out;
}

/** `headers.authorization` goes; below the top, other keys of `headers` are looked into like any object. */
function scrubHeaders(headers: Bag, depth: number): Bag {
  const rest = 'authorization' in headers ? without(headers, headers, 'authorization') : headers;
  return depth === 0 ? scrub(rest, 1) : scrub(rest, 2);
}

function without(out: Bag, original: Bag, key: string): Bag {
  const copy = out === original ? copyOf(original) : out;
  delete copy[key];
  return copy;
}

function replaced(out: Bag, original: Bag, key: string, value: unknown): Bag {
  const copy = out === original ? copyOf(original) : out;
  copy[key] = value;
  return copy;
}

/** A copy with the same prototype and own properties: an Error stays an Error (stack, message). */
function copyOf(object: Bag): Bag {
  const copy = Object.create(Object.getPrototypeOf(object), Object.getOwnPropertyDescriptors(object)) as Bag;
  // V8 keeps an error's stack behind an accessor tied to the original object.
  if (object instanceof Error) Object.defineProperty(copy, 'stack', { value: object.stack, writable: true });
  return copy;
}
