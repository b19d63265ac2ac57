/**
 * A background sweep every `everyMs` that never overlaps itself (a slow database must not stack sweeps up) and
 * never keeps the process alive. Returns the function that stops it.
 */
export function startSweep(
  work: () => Promise<unknown>,
  everyMs: number,
  onError: (e: Error) => void,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    work()
      .catch((e: unknown) => onError(e as Error))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
