/**
 * Callbacks run when a signal aborts, with one listener on the signal however many are registered.
 * Node's EventTarget walks a signal's whole list of listeners on every `addEventListener` and
 * `removeEventListener` (to find duplicates), so thousands of waiters each listening to one shared
 * signal cost time in proportion to their number squared; here each costs a Set's add and delete.
 */
const callbacksOf = new WeakMap<AbortSignal, Set<() => void>>();

/** Runs `callback` once when `signal` aborts; the function returned forgets it (call it once the wait is over). */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = callbacksOf.get(signal);
  if (!callbacks) {
    const registered = new Set<() => void>();
    callbacks = registered;
    callbacksOf.set(signal, registered);
    signal.addEventListener(
      'abort',
      () => {
        callbacksOf.delete(signal);
        for (const run of [...registered]) run();
        registered.clear();
      },
      { once: true },
    );
  }
  const set = callbacks;
  set.add(callback);
  return () => {
    set.delete(callback);
  };
}
