/**
 * Callbacks run when a signal aborts, with one listener on the signal however many are registered.
 * Node's EventTarget walks a signal's whole list of listeners on every `addEventListener` and
 * `removeEventListener` (to find duplicates), so thousands of waiters each listening to one shared
 * signal cost time in proportion to their number squared; here each costs a Set's add and delete.
 */
const callbacksOf = new WeakMap<AbortSignal, Set<() => void>>();

/** Runs `callback` once when `signal` aborts; the function returned forgets it (call it once the wait is over). */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  const callbacks = callbacksOf.get(signal) ?? listen(signal);
  callbacks.add(callback);
  return () => {
    callbacks.delete(callback);
  };
}

/** The signal's one listener, running the callbacks registered by then. */
function listen(signal: AbortSignal): Set<() => void> {
  const callbacks = new Set<() => void>();
  callbacksOf.set(signal, callbacks);
  signal.addEventListener(
    'abort',
    () => {
      callbacksOf.delete(signal);
      for (const run of [...callbacks]) run();
      callbacks.clear();
    },
    { once: true },
  );
  return callbacks;
}
