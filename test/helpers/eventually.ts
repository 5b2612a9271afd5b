import { withinTime } from '../../src/platform/time-limit.ts';

/** Polls `check` until it returns a value (not undefined) or the deadline passes. No fixed sleeps. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  options: {
    timeoutMs?: number;
    intervalMs?: number;
    /** What is awaited, for the error; a function is asked only when the deadline passed (a diagnosis). */
    what?: string | (() => Promise<string> | string);
  } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  const what = typeof options.what === 'function' ? await describe(options.what) : options.what;
  throw new Error(
    `timed out after ${options.timeoutMs ?? 30_000} ms waiting for ${what ?? 'condition'}${reason}`,
  );
}

async function describe(what: () => Promise<string> | string): Promise<string> {
  try {
    return await what();
  } catch (error) {
    return `(not described: ${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Resolves as `promise` does, or rejects naming `what` once `timeoutMs` passed first. */
export function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return withinTime(
    promise,
    timeoutMs,
    () => new Error(`timed out after ${timeoutMs} ms waiting for ${what}`),
  );
}
