/** One push's signal: aborted by the caller (its reason kept) or once `ms` have passed. */
export interface PushDeadline {
  signal: AbortSignal;
  /** The push is over: stop the timer and let go of the caller's signal. */
  clear(): void;
}

/**
 * A deadline that ends with the push. `AbortSignal.timeout` cannot be cancelled: every push would
 * leave its timer, its signal and everything their listeners reach (the request and its body) alive
 * for the whole deadline (45 s by default), which at a thousand pushes a second is most of the
 * process's memory.
 */
export function pushDeadline(outer: AbortSignal | undefined, ms: number): PushDeadline {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`push deadline of ${ms} ms passed`, 'TimeoutError')),
    ms,
  );
  const follow = () => controller.abort(outer?.reason);
  if (outer?.aborted) follow();
  else outer?.addEventListener('abort', follow, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', follow);
    },
  };
}
