/**
 * `work`, or a rejection with `timedOut()` once `ms` pass without it settling. The timer ends with
 * the race; `work` itself goes on (a caller that may see it land later listens to it itself).
 */
export async function withinTime<T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
